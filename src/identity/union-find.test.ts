import { describe, expect, it } from 'vitest';
import { IntUnionFind } from './union-find.js';

describe('IntUnionFind', () => {
  it('joins a chain 0–1, 1–2 into one set and keeps 3 apart', () => {
    const uf = new IntUnionFind(4);
    uf.union(0, 1);
    uf.union(1, 2);
    expect(uf.find(0)).toBe(uf.find(2));
    expect(uf.find(3)).not.toBe(uf.find(0));
    expect(uf.find(3)).toBe(3);
  });

  it('handles a long chain without deep recursion', () => {
    const uf = new IntUnionFind(100_001);
    for (let i = 0; i < 100_000; i++) uf.union(i, i + 1);
    const root = uf.find(0);
    for (let i = 0; i <= 100_000; i += 997) expect(uf.find(i)).toBe(root);
  });
});
