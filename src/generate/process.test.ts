import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../domain/event.js';
import { CUSTOMER_TYPES, parseGeneratorParams, RunOptionsSchema } from './params.js';
import {
  createContext,
  drawLatent,
  simulateCustomer,
  typeProbabilitiesByCell,
  type CustomerLatent,
  type GeneratorContext,
  type SimulatedCustomer,
} from './process.js';
import { gammaCdf } from './special.js';

const params = parseGeneratorParams({});
const { r, alpha, a, b } = params.bgnbd;
const gg = params.gammaGamma;
const START_MS = Date.parse('2024-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
function correlation(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('latent customers (20,000 draws, no events)', () => {
  let latents: CustomerLatent[];
  let purchasers: CustomerLatent[];
  beforeAll(() => {
    const ctx = createContext(params, RunOptionsSchema.parse({ customers: 20_000, seed: 11 }));
    latents = Array.from({ length: 20_000 }, (_, i) => drawLatent(ctx, i));
    purchasers = latents.filter((l) => !l.prospect);
  });

  it('has the configured prospect share', () => {
    const share = 1 - purchasers.length / latents.length;
    const p = params.population.prospectShare;
    expect(Math.abs(share - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / latents.length));
  });

  it('draws lambda ~ Gamma(r, alpha), p ~ Beta(a, b), nu ~ Gamma(q, v) over purchasers, whatever their type', () => {
    const n = purchasers.length;
    const lambdas = purchasers.map((l) => l.lambda);
    expect(Math.abs(mean(lambdas) - r / alpha)).toBeLessThan(5 * Math.sqrt(r / alpha ** 2 / n));
    const varP = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(mean(purchasers.map((l) => l.p)) - a / (a + b))).toBeLessThan(5 * Math.sqrt(varP / n));
    expect(Math.abs(mean(purchasers.map((l) => l.nu)) - gg.q / gg.v)).toBeLessThan(5 * Math.sqrt(gg.q / gg.v ** 2 / n));
    // The type mixture must not bend the marginals: each tercile of lambda's CDF holds a third.
    const lowTercile = purchasers.filter((l) => gammaCdf(l.lambda, r, alpha) < 1 / 3).length / n;
    expect(Math.abs(lowTercile - 1 / 3)).toBeLessThan(5 * Math.sqrt(2 / 9 / n));
  });

  it('keeps purchase rate and spend independent across the population (Gamma-Gamma assumption)', () => {
    const u = purchasers.map((l) => gammaCdf(l.lambda, r, alpha));
    const v = purchasers.map((l) => gammaCdf(l.nu, gg.q, gg.v));
    expect(Math.abs(correlation(u, v))).toBeLessThan(5 / Math.sqrt(purchasers.length));
  });

  it('realises the configured type weights among purchasers', () => {
    const n = purchasers.length;
    for (const t of CUSTOMER_TYPES) {
      const w = params.types[t].weight;
      const share = purchasers.filter((l) => l.type === t).length / n;
      expect(Math.abs(share - w), t).toBeLessThan(5 * Math.sqrt((w * (1 - w)) / n));
    }
  });

  it('type-by-cell probabilities are distributions that average back to the weights', () => {
    const cells = typeProbabilitiesByCell(params);
    expect(cells).toHaveLength(9);
    for (const c of cells) {
      expect(c.every((x) => x >= 0)).toBe(true);
      expect(c.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    }
    CUSTOMER_TYPES.forEach((t, i) => {
      expect(cells.reduce((s, c) => s + c[i]! / 9, 0)).toBeCloseTo(params.types[t].weight, 12);
    });
  });

  it('makes vips spend more and influencers less than average (mean amount p/nu)', () => {
    const spend = (t: string) => mean(purchasers.filter((l) => l.type === t).map((l) => gg.p / l.nu));
    const all = mean(purchasers.map((l) => gg.p / l.nu));
    expect(all).toBeGreaterThan(90);
    expect(all).toBeLessThan(110); // p·v/(q−1) = 100
    expect(spend('vip')).toBeGreaterThan(all);
    expect(spend('influencer')).toBeLessThan(all);
    expect(spend('influencer')).toBeLessThan(spend('vip') / 2);
  });

  it('places acquisition in the first 2/3 of the window and awareness before it', () => {
    const days = 365;
    // Uniform day in the first 2/3; the time of day may move it by less than a day.
    expect(purchasers.every((l) => l.acquisition >= 0 && l.acquisition < (2 / 3) * days + 1)).toBe(true);
    expect(purchasers.every((l) => l.firstTouch >= 0 && l.firstTouch <= l.acquisition)).toBe(true);
    expect(Math.abs(mean(purchasers.map((l) => l.acquisition)) - days / 3)).toBeLessThan(2);
  });
});

describe('simulated customers (4,000 over 365 days)', () => {
  let ctx: GeneratorContext;
  let sims: SimulatedCustomer[];
  let purchasers: SimulatedCustomer[];
  beforeAll(() => {
    ctx = createContext(params, RunOptionsSchema.parse({ customers: 4000, seed: 5 }));
    sims = Array.from({ length: 4000 }, (_, i) => simulateCustomer(ctx, drawLatent(ctx, i)));
    purchasers = sims.filter((s) => s.truth.type !== 'prospect');
  });

  it('emits exactly the truth number of purchases, the first at acquisition', () => {
    const bad: string[] = [];
    for (const s of sims) {
      const purchases = s.events.filter((e) => e.type === 'purchase');
      if (purchases.length !== s.truth.purchases) bad.push(`${s.truth.customer_id} count`);
      if (s.truth.acquisition_day !== null) {
        const first = (Date.parse(purchases[0]!.ts) - START_MS) / DAY_MS;
        if (!(Math.abs(first - s.truth.acquisition_day) < 2 / 86_400)) bad.push(`${s.truth.customer_id} first`);
      }
    }
    expect(bad).toEqual([]);
    expect(sims.filter((s) => s.truth.type === 'prospect').every((s) => s.truth.purchases === 0)).toBe(true);
  });

  it('matches BG/NBD: E[x] = (1 − e^(−λpT))/p and P(dropped by T) = 1 − e^(−λpT), given each truth λ, p, T', () => {
    let x = 0;
    let expectedX = 0;
    let dropped = 0;
    let expectedDropped = 0;
    let varDropped = 0;
    for (const s of purchasers) {
      const { lambda, p, T } = s.truth as { lambda: number; p: number; T: number };
      const q = 1 - Math.exp(-lambda * p * T);
      x += s.truth.x;
      expectedX += q / p;
      dropped += s.truth.dropout_day === null ? 0 : 1;
      expectedDropped += q;
      varDropped += q * (1 - q);
    }
    expect(Math.abs(x / expectedX - 1)).toBeLessThan(0.06);
    expect(Math.abs(dropped - expectedDropped)).toBeLessThan(5 * Math.sqrt(varDropped));
  });

  it('matches Gamma-Gamma: amounts average p/nu per customer, rounded to cents', () => {
    let total = 0;
    let expected = 0;
    const bad: number[] = [];
    for (const s of purchasers) {
      for (const e of s.events) {
        if (e.type !== 'purchase') continue;
        if (!(e.amount! >= 0) || Math.round(e.amount! * 100) / 100 !== e.amount) bad.push(e.amount!);
        total += e.amount!;
        expected += gg.p / s.truth.nu!;
      }
    }
    expect(bad).toEqual([]);
    expect(Math.abs(total / expected - 1)).toBeLessThan(0.03);
  });

  it('records dropout at the last purchase and nothing but refunds after it', () => {
    const bad: string[] = [];
    let dropped = 0;
    for (const s of purchasers) {
      if (s.truth.dropout_day === null) continue;
      dropped++;
      if (!(Math.abs(s.truth.dropout_day - (s.truth.acquisition_day! + s.truth.t_x)) < 1e-9)) bad.push(s.truth.customer_id);
      const limit = START_MS + s.truth.dropout_day * DAY_MS + 1000;
      for (const e of s.events) if (e.type !== 'refund' && Date.parse(e.ts) > limit) bad.push(e.event_id);
    }
    expect(dropped).toBeGreaterThan(500);
    expect(bad).toEqual([]);
  });

  it('fades activity in the weeks before dropout', () => {
    let before = 0;
    let beforeDays = 0;
    let fading = 0;
    let fadingDays = 0;
    const engagement = new Set(['visit', 'app_session', 'content_interaction']);
    for (const s of purchasers) {
      const { dropout_day: d, acquisition_day: acq } = s.truth;
      if (d === null || acq === null || d - acq < 120) continue;
      for (const e of s.events) {
        if (!engagement.has(e.type)) continue;
        const t = (Date.parse(e.ts) - START_MS) / DAY_MS;
        if (t >= acq && t < d - 60) before++;
        else if (t >= d - 45 && t < d) fading++;
      }
      beforeDays += d - 60 - acq;
      fadingDays += 45;
    }
    // Linear fade to 20%: the last 45 days run at ~60% of the earlier rate.
    expect(fading / fadingDays / (before / beforeDays)).toBeLessThan(0.8);
  });

  it('makes engagement track the purchase rate (propensity is learnable)', () => {
    const active = purchasers.filter((s) => s.truth.type === 'regular');
    const lambdas = active.map((s) => Math.log(s.truth.lambda!));
    const engagement = active.map((s) => Math.log(s.truth.engagement));
    expect(correlation(lambdas, engagement)).toBeGreaterThan(0.3);
  });

  it('gives influencers lower spend but more referrals and shares than vips', () => {
    const of = (t: string) => purchasers.filter((s) => s.truth.type === t);
    const spend = (g: SimulatedCustomer[]) => {
      const amounts = g.flatMap((s) => s.events.filter((e) => e.type === 'purchase').map((e) => e.amount!));
      return mean(amounts);
    };
    const perCustomer = (g: SimulatedCustomer[], type: string) =>
      g.reduce((n, s) => n + s.events.filter((e) => e.type === type).length, 0) / g.length;
    const influencers = of('influencer');
    const vips = of('vip');
    expect(influencers.length).toBeGreaterThan(100);
    expect(vips.length).toBeGreaterThan(100);
    expect(spend(influencers)).toBeLessThan(spend(vips));
    expect(perCustomer(influencers, 'referral')).toBeGreaterThan(2 * perCustomer(vips, 'referral'));
    expect(perCustomer(influencers, 'share')).toBeGreaterThan(2 * perCustomer(vips, 'share'));
    expect(mean(influencers.map((s) => s.truth.referrals))).toBeGreaterThan(mean(vips.map((s) => s.truth.referrals)));
  });

  it('points every referral at a different customer whose first event comes after it', () => {
    const firstEvent = new Map(sims.map((s) => [s.truth.customer_id, Date.parse(s.events[0]!.ts)]));
    const referred = new Set<string>();
    const bad: string[] = [];
    let count = 0;
    for (const s of sims) {
      for (const e of s.events) {
        if (e.type !== 'referral') continue;
        count++;
        const target = e.related_customer_id!;
        if (target === s.truth.customer_id || referred.has(target)) bad.push(e.event_id);
        if (!((firstEvent.get(target) ?? -1) >= Date.parse(e.ts))) bad.push(e.event_id);
        referred.add(target);
      }
      if (s.events.filter((e) => e.type === 'referral').length !== s.truth.referrals) bad.push(s.truth.customer_id);
    }
    expect(bad).toEqual([]);
    expect(count).toBeGreaterThan(50);
  });

  it('refunds at most the amount of an earlier purchase of the same product', () => {
    let refunds = 0;
    const bad: string[] = [];
    for (const s of sims) {
      for (const e of s.events) {
        if (e.type !== 'refund') continue;
        refunds++;
        const original = s.events.find(
          (p) => p.type === 'purchase' && p.product_id === e.product_id && p.ts <= e.ts && p.amount! >= e.amount!,
        );
        if (!original || !(e.amount! >= 0)) bad.push(e.event_id);
      }
    }
    expect(bad).toEqual([]);
    expect(refunds).toBeGreaterThan(20);
  });

  it('sends campaigns only over consented channels and converts only on a real purchase', () => {
    const bad: string[] = [];
    const counts = { campaign_sent: 0, campaign_converted: 0 } as Record<string, number>;
    for (const s of sims) {
      const purchaseTs = new Set(s.events.filter((e) => e.type === 'purchase').map((e) => e.ts));
      for (const e of s.events) {
        if (!e.type.startsWith('campaign_')) continue;
        counts[e.type] = (counts[e.type] ?? 0) + 1;
        if (!/^CMP\d{4}$/.test(e.campaign_id ?? '') || !params.campaigns.actions.includes(e.action_id ?? '')) bad.push(e.event_id);
        const key = `consent_${e.channel}` as 'consent_email';
        if (s.profile[key] !== true) bad.push(`${e.event_id} consent`);
        if (e.type === 'campaign_converted' && !purchaseTs.has(e.ts)) bad.push(`${e.event_id} conversion`);
      }
    }
    expect(bad).toEqual([]);
    expect(counts.campaign_sent).toBeGreaterThan(1000);
    expect(counts.campaign_converted).toBeGreaterThan(10);
  });

  it('uses only contract event types, and every type occurs', () => {
    const seen = new Set(sims.flatMap((s) => s.events.map((e) => e.type)));
    for (const t of seen) expect(EVENT_TYPES).toContain(t);
    expect([...seen].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('is a pure function of (seed, index): re-simulating a customer gives the same rows', () => {
    const again = createContext(params, RunOptionsSchema.parse({ customers: 4000, seed: 5 }));
    // Referral bookkeeping depends on earlier customers, so replay them in order.
    const replay = Array.from({ length: 50 }, (_, i) => simulateCustomer(again, drawLatent(again, i)));
    expect(replay.map((s) => s.events)).toEqual(sims.slice(0, 50).map((s) => s.events));
  });
});

describe('parameters', () => {
  it('rejects type weights that do not sum to 1 and impossible type cells', () => {
    expect(() => parseGeneratorParams({ types: { vip: { ...params.types.vip, weight: 0.5 } } })).toThrow(/sum to 1/);
    expect(() =>
      parseGeneratorParams({
        types: {
          regular: { ...params.types.regular, weight: 0.4 },
          vip: { ...params.types.vip, weight: 0.26, lambdaTerciles: [0, 0, 1], spendTerciles: [0, 0, 1] },
        },
      }),
    ).toThrow(/cell/);
    expect(() => parseGeneratorParams({ bgnbd: { r: -1 } })).toThrow();
  });

  it('rejects run options outside the calendar or the allowed ranges', () => {
    expect(() => RunOptionsSchema.parse({ start: '2024-02-30' })).toThrow(/calendar/);
    expect(() => RunOptionsSchema.parse({ start: '2024/01/01' })).toThrow(/YYYY-MM-DD/);
    expect(() => RunOptionsSchema.parse({ customers: 0 })).toThrow();
    expect(RunOptionsSchema.parse({})).toEqual({ customers: 1000, days: 365, seed: 42, start: '2024-01-01' });
  });

  it('fills defaults for anything not given, also inside a partially overridden type', () => {
    const t = parseGeneratorParams({ types: { vip: { weight: 0.05 }, regular: { weight: 0.61 } } }).types;
    expect(t.vip).toEqual({ ...params.types.vip, weight: 0.05 });

    const p = parseGeneratorParams({ bgnbd: { r: 1.5 } });
    expect(p.bgnbd).toMatchObject({ r: 1.5, alpha: 40, a: 0.8, b: 2.5 });
    expect(p.gammaGamma).toMatchObject({ p: 6, q: 4, v: 50 });
  });
});
