import { z } from '@hono/zod-openapi';

/** Which model version answered each target (shared by every route that serves predictions). */
export const ModelVersionsSchema = z
  .object({ purchase: z.string().nullable(), churn: z.string().nullable(), clv: z.string().nullable() })
  .describe('the model version that answered each target; null when no model of that target is serving')
  .openapi('ModelVersions');
