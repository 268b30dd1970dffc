import { describe, expect, it } from 'vitest';
import { OCTALYSIS_DRIVES } from './vocab.js';

describe('nba vocabulary', () => {
  it("lists Octalysis's eight drives once each", () => {
    expect(new Set(OCTALYSIS_DRIVES).size).toBe(8);
    expect(OCTALYSIS_DRIVES).toHaveLength(8);
  });
});
