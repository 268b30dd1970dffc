/**
 * Who the customers are: when each one arrives (`entry` stream), what each one is like
 * (`latent` stream: BG/NBD and Gamma-Gamma draws, type, engagement, preferences, identities,
 * consents), and the shared context the simulation needs. The story is told in process.ts.
 */
import { campaignCalendar, type Campaign, type CampaignChannel } from './catalog.js';
import { customerId, customerIdWidth, emailAddress, memberId, phoneNumber } from './identity.js';
import { CUSTOMER_TYPES, type CustomerType, type GeneratorParams, type RunOptions } from './params.js';
import { bernoulli, beta, categorical, createRng, dirichlet, exponential, gamma, logNormal, normal, pick, uniform } from './random.js';
import type { IdentifierKind } from './rows.js';
import { gammaCdf } from './special.js';
import { atLocalHour, createCalendar, hourProfile, type Calendar, type HourProfile } from './time.js';

/** Who a customer is: everything drawn from the `entry` and `latent` streams. */
export interface CustomerLatent {
  index: number;
  customerId: string;
  prospect: boolean;
  type: CustomerType | 'prospect';
  firstTouch: number;
  acquisition: number;
  /** Prospects: days they stay active. */
  activeDays: number;
  lambda: number;
  p: number;
  nu: number;
  engagement: number;
  responsiveness: number;
  weekendBoost: number;
  /** store, web, app */
  channelPref: number[];
  categoryPref: number[];
  marginRate: number;
  satisfaction: number;
  referralRate: number;
  shareRate: number;
  reviewProb: number;
  memberId: string | null;
  email: string | null;
  phone: string | null;
  unlinked: IdentifierKind | null;
  consent: Record<CampaignChannel, boolean>;
  trial: boolean;
  signup: boolean;
}

/** What every customer's simulation shares: parameters, calendar, campaigns, the referral index. */
export interface GeneratorContext {
  readonly params: GeneratorParams;
  readonly options: RunOptions;
  readonly calendar: Calendar;
  readonly campaigns: readonly Campaign[];
  readonly hours: HourProfile;
  readonly idWidth: number;
  /** P(type | cell) for the 9 (lambda tercile × spend tercile) cells, in CUSTOMER_TYPES order. */
  readonly typeByCell: readonly (readonly number[])[];
  /** First-touch days of all customers, ascending, and the customer index of each. */
  readonly firstTouchSorted: Float64Array;
  readonly firstTouchOrder: Int32Array;
  /** Customers already named as referred (each is referred at most once). Mutated while generating. */
  readonly referred: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Context

/** P(type | cell) = 9 · w_type · P_type(cell); regular takes the rest of each cell. */
export function typeProbabilitiesByCell(params: GeneratorParams): number[][] {
  const cells: number[][] = [];
  for (let li = 0; li < 3; li++) {
    for (let si = 0; si < 3; si++) {
      const probs = CUSTOMER_TYPES.map((t) => {
        if (t === 'regular') return 0;
        const tp = params.types[t];
        return 9 * tp.weight * (tp.lambdaTerciles?.[li] ?? 1 / 3) * (tp.spendTerciles?.[si] ?? 1 / 3);
      });
      const rest = 1 - probs.reduce((a, b) => a + b, 0);
      probs[CUSTOMER_TYPES.indexOf('regular')] = Math.max(0, rest);
      cells.push(probs);
    }
  }
  return cells;
}

/** Builds the context: calendar, campaigns, and every customer's first-touch day (for referrals). */
export function createContext(params: GeneratorParams, options: RunOptions): GeneratorContext {
  const base = {
    params,
    options,
    calendar: createCalendar(options.start, options.days),
    campaigns: campaignCalendar(params, options.seed, options.days),
    hours: hourProfile(params.timing.hourProfile),
    idWidth: customerIdWidth(options.customers),
    typeByCell: typeProbabilitiesByCell(params),
  };
  const n = options.customers;
  const touch = new Float64Array(n);
  for (let i = 0; i < n; i++) touch[i] = drawEntry(params, options, i).firstTouch;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => (touch[x] ?? 0) - (touch[y] ?? 0) || x - y);
  const sorted = Float64Array.from(order, (i) => touch[i] ?? 0);
  return { ...base, firstTouchSorted: sorted, firstTouchOrder: order, referred: new Uint8Array(n) };
}

// ---------------------------------------------------------------------------------------------
// Latent customer

function tercile(u: number): number {
  return u < 1 / 3 ? 0 : u < 2 / 3 ? 1 : 2;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** When a customer enters: the `entry` stream, kept apart so the context can index all customers cheaply. */
export interface CustomerEntry {
  prospect: boolean;
  /** Day of the first event (awareness). */
  firstTouch: number;
  /** Day of the first purchase; +Infinity for prospects. */
  acquisition: number;
  /** Prospects: days they stay active; 0 for purchasers. */
  activeDays: number;
}

export function drawEntry(params: GeneratorParams, options: RunOptions, index: number): CustomerEntry {
  const pop = params.population;
  const rng = createRng(options.seed, index, 'entry');
  const prospect = bernoulli(rng, pop.prospectShare);
  if (prospect) {
    let firstTouch = atLocalHour(rng, uniform(rng, 0, pop.prospectWindow * options.days), params.timing.hourProfile, params.timing.utcOffsetHours);
    if (firstTouch < 0) firstTouch += 1;
    if (firstTouch >= options.days) firstTouch -= 1;
    return { prospect, firstTouch, acquisition: Number.POSITIVE_INFINITY, activeDays: exponential(rng, 1 / pop.prospectActiveDays) };
  }
  const hours = params.timing.hourProfile;
  const offset = params.timing.utcOffsetHours;
  // Uniform day; time of day by the hour profile (kept inside the window).
  let acquisition = atLocalHour(rng, uniform(rng, 0, pop.acquisitionWindow * options.days), hours, offset);
  if (acquisition < 0) acquisition += 1;
  if (acquisition >= options.days) acquisition -= 1;
  const lead = exponential(rng, 1 / pop.leadDays);
  // Awareness before the window began is not observed: the first visit then falls anywhere before acquisition.
  let firstTouch = lead <= acquisition ? acquisition - lead : rng() * acquisition;
  const placed = atLocalHour(rng, firstTouch, hours, offset);
  if (placed >= 0 && placed <= acquisition) firstTouch = placed;
  return { prospect, firstTouch, acquisition, activeDays: 0 };
}

/** Draws who customer `index` is. Pure in (params, options, index). */
export function drawLatent(ctx: Omit<GeneratorContext, 'firstTouchSorted' | 'firstTouchOrder' | 'referred'>, index: number): CustomerLatent {
  const { params, options } = ctx;
  const { bgnbd, gammaGamma, engagement: eng, identity: idp } = params;
  const { prospect, firstTouch, acquisition, activeDays } = drawEntry(params, options, index);
  const rng = createRng(options.seed, index, 'latent');

  const lambda = gamma(rng, bgnbd.r, bgnbd.alpha);
  const p = beta(rng, bgnbd.a, bgnbd.b);
  const nu = gamma(rng, gammaGamma.q, gammaGamma.v);

  let type: CustomerType | 'prospect' = 'prospect';
  if (!prospect) {
    const li = tercile(gammaCdf(lambda, bgnbd.r, bgnbd.alpha));
    const si = tercile(1 - gammaCdf(nu, gammaGamma.q, gammaGamma.v));
    type = CUSTOMER_TYPES[categorical(rng, ctx.typeByCell[li * 3 + si] ?? [1])] ?? 'regular';
  }
  const profile = type === 'prospect' ? null : params.types[type];

  const meanLambda = bgnbd.r / bgnbd.alpha;
  const sigma = eng.noiseSigma;
  const noise = logNormal(rng, (-sigma * sigma) / 2, sigma); // mean 1
  const lambdaFactor = clamp(Math.pow(lambda / meanLambda, eng.lambdaElasticity), 1 / eng.lambdaFactorClip, eng.lambdaFactorClip);
  const engagement = profile ? profile.engagement * lambdaFactor * noise : eng.prospectEngagement * noise;
  const responsiveness = clamp(Math.sqrt(engagement) * logNormal(rng, -0.045, 0.3), 0.1, 4);

  const weekendBoost = uniform(rng, params.timing.weekendBoostMin, params.timing.weekendBoostMax);
  const channelPref = dirichlet(rng, 3, params.purchases.channelConcentration);
  const categoryPref = dirichlet(rng, params.purchases.categories.length, params.purchases.categoryConcentration);
  const mp = profile?.marginPreference ?? { a: 2, b: 3 };
  const marginRate =
    params.purchases.marginRateMin + (params.purchases.marginRateMax - params.purchases.marginRateMin) * beta(rng, mp.a, mp.b);

  const meanP = bgnbd.a / (bgnbd.a + bgnbd.b);
  const svc = params.service;
  const satisfaction = clamp(normal(rng, svc.satisfactionMean - svc.satisfactionPerP * (p - meanP), svc.satisfactionSd), 1, 5);

  const referralRate = params.social.referralPerDay * (profile?.referral ?? 0);
  const shareRate = params.social.sharePerDay * (profile?.share ?? 0.5);
  const reviewProb = Math.min(1, params.purchases.reviewPerPurchase * (profile?.review ?? 0));

  const hasMember = bernoulli(rng, idp.memberShare);
  const hasEmail = bernoulli(rng, idp.emailShare);
  const hasPhone = bernoulli(rng, idp.phoneShare);
  const email = hasEmail ? emailAddress(rng, index) : null;
  const kinds: IdentifierKind[] = [];
  if (hasMember) kinds.push('member_id');
  if (hasEmail) kinds.push('email');
  if (hasPhone) kinds.push('phone');
  const unlinked = kinds.length > 0 && bernoulli(rng, idp.unlinkedShare) ? pick(rng, kinds) : null;

  const appUser = (channelPref[2] ?? 0) > 0.2;
  const consent: Record<CampaignChannel, boolean> = {
    email: hasEmail && bernoulli(rng, idp.consent.email),
    sms: hasPhone && bernoulli(rng, idp.consent.sms),
    line: hasPhone && bernoulli(rng, idp.consent.line),
    push: appUser && bernoulli(rng, idp.consent.push),
  };
  const f = params.funnel;
  const trial = bernoulli(rng, prospect ? f.prospectTrialShare : f.trialShare);
  const signup = bernoulli(rng, prospect ? f.prospectSignupShare : f.signupShare);

  return {
    index,
    customerId: customerId(index, ctx.idWidth),
    prospect,
    type,
    firstTouch,
    acquisition,
    activeDays,
    lambda,
    p,
    nu,
    engagement,
    responsiveness,
    weekendBoost,
    channelPref,
    categoryPref,
    marginRate,
    satisfaction,
    referralRate,
    shareRate,
    reviewProb,
    memberId: hasMember ? memberId(index, options.seed) : null,
    email,
    phone: hasPhone ? phoneNumber(index, options.seed) : null,
    unlinked,
    consent,
    trial,
    signup,
  };
}
