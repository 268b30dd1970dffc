import type { Store } from '../store/database.js';

/** What a group was drawn under: the salt and the share. Either changed is a new experiment. */
export function controlDraw(group: { salt: string; share: number }): string {
  return `${group.salt}@${group.share}`;
}

/**
 * The control group each person was first drawn into under the current draw (controlDraw), kept for
 * them: the draw hashes the id a person is listed under, and that id can change (someone known only
 * by e-mail, listed as anon-<id>, later gives a customer id; two people merge and the survivor's id
 * answers for both). A person switching groups mid-experiment would blur the uplift, so the first
 * draw stays. Loaded from the decision log (decisions carry their draw); a new salt or share starts
 * afresh, so a share set to 0 ends the hold-out at once. Of two people merged, the group of the
 * earlier first decision stays with the survivor, in memory and when loaded alike.
 */
export class ControlAssignments {
  private constructor(private readonly groups: Map<number, { control: boolean; at: number }>) {}

  static async load(store: Store, draw: string): Promise<ControlAssignments> {
    const rows = await store.all<{ person_id: number; control_group: boolean; at: number }>(
      `SELECT coalesce(p.merged_into, d.person_id) AS person_id,
              arg_min(d.control_group, d.decided_at) AS control_group, epoch_ms(min(d.decided_at)) AS at
       FROM nba_decisions d LEFT JOIN persons p ON p.person_id = d.person_id
       WHERE d.control_draw = ?
       GROUP BY 1`,
      [draw],
    );
    return new ControlAssignments(new Map(rows.map((r) => [Number(r.person_id), { control: Boolean(r.control_group), at: Number(r.at) }])));
  }

  /** The group a person was first drawn into, if they have been decided for. */
  of(personId: number): boolean | undefined {
    return this.groups.get(personId)?.control;
  }

  /** Keeps a person's first draw, made at `at` (a later call for the same person changes nothing). */
  remember(personId: number, control: boolean, at: Date): void {
    if (!this.groups.has(personId)) this.groups.set(personId, { control, at: at.getTime() });
  }

  /** People an ingest merged: the survivor keeps the group of whichever of the two was decided first. */
  merge(merges: readonly { absorbed: number; survivor: number }[]): void {
    for (const { absorbed, survivor } of merges) {
      const theirs = this.groups.get(absorbed);
      if (theirs === undefined) continue;
      this.groups.delete(absorbed);
      const own = this.groups.get(survivor);
      if (own === undefined || theirs.at < own.at) this.groups.set(survivor, theirs);
    }
  }
}
