import { DAY_MS } from './vocab.js';

/** A purchase to attribute. */
export interface AttributablePurchase {
  person_id: number;
  /** Epoch ms. */
  ts: number;
  amount: number | null;
}

/** An action of a decision with a recorded outcome (a unit: it was shown, or withheld in the control group). */
export interface ShownUnit {
  decision_id: string;
  action_id: string;
  person_id: number;
  /** Epoch ms of its first outcome. */
  shown_at: number;
  converted: boolean;
}

export interface Attribution {
  purchase: number;
  decision_id: string;
  action_id: string;
}

/**
 * Last-touch attribution: each purchase converts the customer's unit shown last at or before it,
 * within `windowDays`, that has not converted yet; a unit converts once (later purchases go to an
 * earlier unit still open, or to none). Purchases are taken in time order. Returns, per attributed
 * purchase (by index), the unit it converts.
 */
export function attributePurchases(purchases: readonly AttributablePurchase[], units: readonly ShownUnit[], windowDays: number): Attribution[] {
  if (windowDays <= 0) return [];
  const window = windowDays * DAY_MS;
  const open = new Map<number, ShownUnit[]>();
  for (const u of units) {
    if (u.converted) continue;
    const list = open.get(u.person_id);
    if (list) list.push(u);
    else open.set(u.person_id, [u]);
  }
  const order = purchases.map((_, i) => i).sort((a, b) => purchases[a]!.ts - purchases[b]!.ts);
  const out: Attribution[] = [];
  for (const i of order) {
    const p = purchases[i]!;
    const candidates = open.get(p.person_id);
    if (!candidates) continue;
    let best = -1;
    candidates.forEach((u, k) => {
      // Compared to the second: a purchase stamped by another system in the same second counts as after.
      const shown = Math.floor(u.shown_at / 1000) * 1000;
      if (shown <= p.ts && p.ts - shown <= window && (best < 0 || u.shown_at > candidates[best]!.shown_at)) best = k;
    });
    if (best < 0) continue;
    const [unit] = candidates.splice(best, 1);
    out.push({ purchase: i, decision_id: unit!.decision_id, action_id: unit!.action_id });
  }
  return out;
}
