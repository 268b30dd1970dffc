import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';

/**
 * A result's chunks one by one, giving the event loop a turn after every `turnEvery` of them: a
 * fetched chunk resolves without a turn, so a service reading a large result keeps answering.
 */
export async function* chunksInTurns(result: DuckDBResult, turnEvery: number): AsyncGenerator<DuckDBDataChunk> {
  for (let fetched = 1; ; fetched++) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    yield chunk;
    if (fetched % turnEvery === 0) await nextTurn();
  }
}
