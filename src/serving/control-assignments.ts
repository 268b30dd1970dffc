import type { Store } from '../store/database.js';

/** What a group was drawn under: the salt and the share. Either changed is a new experiment. */
export function controlDraw(group: { salt: string; share: number }): string {
  return `${group.salt}@${group.share}`;
}

/**
 * The control group each person was first drawn into under the current draw (controlDraw), kept for them: the
 * draw hashes the id a person is listed under, and that id can change (someone known only by
 * e-mail, listed as anon-<id>, later gives a customer id; two people merge and the survivor's id
 * answers for both). A person switching groups mid-experiment would blur the uplift, so the first
 * draw stays. Loaded from the decision log (decisions carry their draw); a new salt or share starts
 * afresh, so a share set to 0 ends the hold-out at once.
 * Of two people merged, the earlier first decision's group stays with the survivor.
 */
export class ControlAssignments {
  private constructor(private readonly groups: Map<number, boolean>) {}

  static async load(store: Store, draw: string): Promise<ControlAssignments> {
    const rows = await store.all<{ person_id: number; control_group: boolean }>(
      `SELECT coalesce(p.merged_into, d.person_id) AS person_id, arg_min(d.control_group, d.decided_at) AS control_group
       FROM nba_decisions d LEFT JOIN persons p ON p.person_id = d.person_id
       WHERE d.control_draw = ?
       GROUP BY 1`,
      [draw],
    );
    return new ControlAssignments(new Map(rows.map((r) => [Number(r.person_id), Boolean(r.control_group)])));
  }

  /** The group a person was first drawn into, if they have been decided for. */
  of(personId: number): boolean | undefined {
    return this.groups.get(personId);
  }

  /** Keeps a person's first draw (a later call for the same person changes nothing). */
  remember(personId: number, controlGroup: boolean): void {
    if (!this.groups.has(personId)) this.groups.set(personId, controlGroup);
  }

  /**
   * People an ingest merged: the survivor keeps its own group, or takes the absorbed person's when it
   * had none. (Which first decision was earlier is known only to the log; the next load settles it.)
   */
  merge(merges: readonly { absorbed: number; survivor: number }[]): void {
    for (const { absorbed, survivor } of merges) {
      const group = this.groups.get(absorbed);
      if (group === undefined) continue;
      this.groups.delete(absorbed);
      this.remember(survivor, group);
    }
  }
}
