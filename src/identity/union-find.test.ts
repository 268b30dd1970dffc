import { describe, expect, it } from 'vitest';
import { UnionFind } from './union-find.js';

describe('UnionFind', () => {
  it('joins a chain A–B, B–C into one group and keeps D apart', () => {
    const uf = new UnionFind();
    uf.union('A', 'B');
    uf.union('B', 'C');
    uf.add('D');
    const groups = uf.groups().map((g) => g.sort().join(''));
    expect(groups.sort()).toEqual(['ABC', 'D']);
    expect(uf.find('A')).toBe(uf.find('C'));
    expect(uf.find('A')).not.toBe(uf.find('D'));
  });

  it('handles a long chain without deep recursion', () => {
    const uf = new UnionFind();
    for (let i = 0; i < 100_000; i++) uf.union(`k${i}`, `k${i + 1}`);
    expect(uf.groups()).toHaveLength(1);
  });
});
