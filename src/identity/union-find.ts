/** Disjoint sets over string keys, with path halving and union by size. */
export class UnionFind {
  private readonly parent = new Map<string, string>();
  private readonly size = new Map<string, number>();

  add(key: string): void {
    if (!this.parent.has(key)) {
      this.parent.set(key, key);
      this.size.set(key, 1);
    }
  }

  find(key: string): string {
    this.add(key);
    let node = key;
    for (;;) {
      const parent = this.parent.get(node)!;
      if (parent === node) return node;
      const grand = this.parent.get(parent)!;
      this.parent.set(node, grand);
      node = grand;
    }
  }

  union(a: string, b: string): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size.get(ra)! < this.size.get(rb)!) [ra, rb] = [rb, ra];
    this.parent.set(rb, ra);
    this.size.set(ra, this.size.get(ra)! + this.size.get(rb)!);
  }

  /** Every key grouped by its set. */
  groups(): string[][] {
    const byRoot = new Map<string, string[]>();
    for (const key of this.parent.keys()) {
      const root = this.find(key);
      const group = byRoot.get(root);
      if (group) group.push(key);
      else byRoot.set(root, [key]);
    }
    return [...byRoot.values()];
  }
}
