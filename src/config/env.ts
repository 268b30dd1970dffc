import path from 'node:path';
import { z } from 'zod';

/**
 * Process-level settings from the environment (CONTRACT.md §2 names PROPEL_DB, PROPEL_MODELS, PORT).
 * Command-line flags override these; see scripts/.
 */
export const EnvSchema = z.object({
  PROPEL_DB: z.string().min(1).default(path.join('data', 'propel.duckdb')),
  PROPEL_MODELS: z.string().min(1).default('models'),
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  /** Secret for the keyed hash of e-mail and phone; when absent a random key is kept beside the store. */
  PROPEL_ID_HASH_KEY: z.string().min(16).optional(),
  /** Country calling code put in front of national phone numbers (leading 0), e.g. 886 for Taiwan. Empty: digits kept as given. */
  PROPEL_PHONE_COUNTRY_CODE: z
    .string()
    .regex(/^\d{0,4}$/, 'digits only, e.g. 886')
    .default(''),
  /** Scoring rules (weights, thresholds) overriding the defaults; see config/scoring.example.json. */
  PROPEL_SCORING_CONFIG: z.string().min(1).optional(),
  /** Next-best-action catalog and contact policy; default config/actions.json (see src/nba/README.md). */
  PROPEL_ACTIONS: z.string().min(1).optional(),
  /** Hashed API keys (JSON); default: api-keys.json beside the store. */
  PROPEL_API_KEYS_FILE: z.string().min(1).optional(),
  /** Extra keys as name:pk_<id>_<secret>:scope|scope,... (hashed on load). */
  PROPEL_API_KEYS: z.string().optional(),
  /** On an empty store, `npm start` generates and loads demo data first (set 0 to start empty). */
  PROPEL_DEMO: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  /** Size of the demo base; 3,000 customers over a year loads in seconds and gives the models enough to learn. */
  PROPEL_DEMO_CUSTOMERS: z.coerce.number().int().min(50).max(1_000_000).default(3000),
  /**
   * Minutes between rescorings of the whole base, so customers without new events still move
   * (recency grows, segments and audiences follow). GA4 and Klaviyo refresh predictive audiences
   * daily; hourly costs little here (a 100k base rescores in ≈10 s in the background). 0: only at
   * start-up and after a model switch.
   */
  PROPEL_REFRESH_MINUTES: z.coerce.number().min(0).max(7 * 24 * 60).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Env = z.infer<typeof EnvSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Treat empty strings as unset so `PROPEL_DB= npm start` falls back to defaults.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  return EnvSchema.parse(cleaned);
}
