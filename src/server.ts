import path from 'node:path';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { ensureAdminKey, KeyRing, keysFromEnv, readKeyFile } from './auth/api-keys.js';
import { readEnv } from './config/env.js';
import { loadScoringConfig } from './config/scoring.js';
import { CustomerScorer } from './serving/scorer.js';
import { bootstrapDemo, trainMissingModels } from './demo/bootstrap.js';
import { ModelRegistry } from './ml/registry/registry.js';
import { ModelService } from './ml/serving/model-service.js';
import { refusalMessage } from './ml/serving/model-set.js';
import { backendReport } from './ml/backend.js';
import { loadClvPredictor } from './ml/train/clv.js';
import { DomainError } from './domain/errors.js';
import { createApp } from './http/app.js';
import { ServiceMetrics } from './http/observability.js';
import { openStore } from './store/open.js';
import { EventIdFilter } from './ingest/event-id-filter.js';
import { loadActionCatalog } from './nba/catalog.js';
import { NbaService } from './serving/next-best-action.js';
import { baseTag } from './serving/audience/index.js';
import { scheduleRefresh } from './serving/refresh-schedule.js';
import type { ScoredBase } from './serving/base-scores.js';

const env = readEnv();
// Buffered (asynchronous) log writes: one write per ~4 KiB instead of one per request line; flushed on shutdown.
const logDestination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
const logger = pino({ level: env.LOG_LEVEL }, logDestination);
// …and at most a second late at low traffic (start-up messages included), so the log never sits in the buffer.
setInterval(() => logDestination.flush(), 1000).unref();

/** Sorts the audience order of a fresh base (and tags it for cursors) now rather than in the first audience request after it. */
function prepareAudiences(base: ScoredBase | undefined): void {
  if (base) baseTag(base);
}

try {
  const { store, identity } = await openStore(env.PROPEL_DB, env);
  const log = (msg: string) => logger.info(msg);
  if (env.PROPEL_DEMO) {
    await bootstrapDemo({ store, identity, env, log });
    await trainMissingModels(store, env.PROPEL_MODELS, log);
  }
  const registry = new ModelRegistry(env.PROPEL_MODELS);
  // Each target loads on its own: a refused artifact leaves only its own target empty (logged, and named by /readyz).
  // After a model switch the whole base is rescored with the new models.
  const models = await ModelService.start(registry, loadClvPredictor, async () => {
    prepareAudiences(await scorer.refresh());
  });
  for (const refused of models.refused) logger.error(refusalMessage(refused));
  const backend = backendReport();
  logger.info(`models: ${JSON.stringify(models.current.versions)}; tfjs backend: ${backend ? backend.backend : 'none loaded'}`);
  const keyFile = env.PROPEL_API_KEYS_FILE ?? path.join(path.dirname(path.resolve(env.PROPEL_DB)), 'api-keys.json');
  if (!env.PROPEL_API_KEYS) {
    const admin = ensureAdminKey(keyFile);
    if (admin.created) logger.info(`created an admin API key; it is in ${admin.tokenFile} (keep it secret; shown only there)`);
  }
  const keys = new KeyRing([...readKeyFile(keyFile), ...keysFromEnv(env.PROPEL_API_KEYS)]);
  const scorer = new CustomerScorer(store, loadScoringConfig(env.PROPEL_SCORING_CONFIG), models.scorerHooks());
  const base = await scorer.refresh();
  if (base) logger.info(`scored ${base.frame.n} customers as of ${base.asOf}`);
  prepareAudiences(base);
  const catalog = loadActionCatalog(env.PROPEL_ACTIONS);
  const nba = await NbaService.open(store, scorer, catalog);
  logger.info(`next best action: ${catalog.actions.length} actions, control group ${catalog.policy.control_group.share * 100}%`);
  const pending = await nba.attributePendingBatches();
  if (pending.batches > 0) {
    logger.info(`attribution: ${pending.attributed} conversions from ${pending.purchases} purchases in ${pending.batches} batches not attributed yet (loaded while the service was stopped)`);
  }
  const stopRefreshing =
    env.PROPEL_REFRESH_MINUTES > 0
      ? scheduleRefresh(async () => prepareAudiences(await scorer.refresh()), env.PROPEL_REFRESH_MINUTES, {
          info: (message) => logger.info(message),
          error: (message) => logger.error(message),
        })
      : () => undefined;
  const knownEventIds = await EventIdFilter.open(store);
  const app = createApp({ store, identity, keys, scorer, models, nba, knownEventIds, logger, metrics: new ServiceMetrics({ processMetrics: true }) });
  const server = serve({ fetch: app.fetch, port: env.PORT }, (info) => {
    logger.info(`Propel serves on http://localhost:${info.port} (store ${env.PROPEL_DB}); API docs at /docs`);
  });
  const shutdown = () => {
    logger.info('shutting down');
    stopRefreshing();
    server.close(() => {
      // Decisions are logged in batches: write the last ones before the store closes.
      void nba
        .flush()
        .catch((error: Error) => logger.error(`decisions not written: ${error.message}`))
        .finally(() => {
          store.close();
          logDestination.flushSync();
          process.exit(0);
        });
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof DomainError) {
    logger.error(error.message);
    logDestination.flushSync();
    process.exit(1);
  }
  throw error;
}
