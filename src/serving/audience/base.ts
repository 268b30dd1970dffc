import type { ScoredBase } from '../base-scores.js';

// ---------------------------------------------------------------------------------------------
// The scored base as the audience functions read it

/** What the audience functions read from a scored base. */
export type AudienceBase = Pick<ScoredBase, 'asOf' | 'scores' | 'predictions' | 'consents'>;

type Column = ArrayLike<number> | undefined;
/** A prediction column of the base by row (undefined when the base has no such column). */
export const column = (base: AudienceBase, name: string): Column => (base.predictions as Record<string, Column> | undefined)?.[name];
