import type { EventIdFilter } from '../ingest/event-id-filter.js';
import type { Logger } from 'pino';
import type { KeyRing } from '../auth/api-keys.js';
import type { IdentitySettings } from '../identity/normalize.js';
import type { ModelService } from '../ml/serving/model-service.js';
import type { NbaService } from '../serving/next-best-action.js';
import type { CustomerScorer } from '../serving/scorer.js';
import type { ServiceMetrics } from './observability.js';
import type { Store } from '../store/database.js';

/** Everything the HTTP layer needs, handed in by server.ts (or a test). */
export interface AppDeps {
  store: Store;
  identity: IdentitySettings;
  /** API keys allowed to call /v1 routes. */
  keys: KeyRing;
  /** Scores customers (whole base and one at a time). */
  scorer: CustomerScorer;
  /** Run-time model operations (list, promote, rollback, reload); the routes exist only when given. */
  models?: ModelService;
  /** Next best action and outcome feedback; the routes exist only when given. */
  nba?: NbaService;
  /** The stored events' ids (a Bloom filter), so an ingest need not scan for duplicates it cannot have. */
  knownEventIds?: EventIdFilter;
  /** Structured request logs (none in tests unless given). */
  logger?: Logger;
  /** Prometheus metrics; the app makes its own when none is given. */
  metrics?: ServiceMetrics;
  /** Largest accepted request body in bytes. */
  maxBodyBytes?: number;
}

/** What route modules receive from createApp: the deps with the app's metrics always set. */
export type RouteDeps = AppDeps & { metrics: ServiceMetrics };

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024; // 5 MiB ≈ 10k events of ~500 bytes
