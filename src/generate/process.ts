/**
 * The generative process of the demo data. Numbers are in params.ts; this file is the story.
 *
 * Time is a float number of days since the window start; the window is [0, days). Every
 * customer has three independent random streams seeded from (seed, customer index, purpose):
 * `entry` (when they arrive), `latent` (who they are) and `events` (what they do). Customers are
 * generated one at a time in index order, in constant memory; the only state shared between them
 * is which customers have already been named as referred, so the same seed and options always
 * give the same data.
 *
 * 1. Population. A share `prospectShare` of customers are prospects who never purchase. The
 *    rest are purchasers whose acquisition (first purchase) is uniform on [0, acquisitionWindow·days),
 *    so each has at least a third of the window of history. A purchaser first becomes aware
 *    `lead ~ Exp(mean leadDays)` before acquisition (if that is before day 0, uniformly in
 *    [0, acquisition) instead): an "aware" visit, a few lead visits, maybe a trial (`trialShare`)
 *    and a signup (`signupShare`), in that order, before the first purchase. Prospects appear
 *    uniformly over the window, stay active Exp(mean
 *    prospectActiveDays), visit, and may take a trial or sign up (funnel aware → trial → joined),
 *    after which they receive campaigns; they never buy and have no other events.
 *
 * 2. Repeat purchasing: BG/NBD exactly (Fader, Hardie & Lee 2005). Per purchaser,
 *    lambda ~ Gamma(shape r, rate alpha) and p ~ Beta(a, b). While alive, purchases arrive as a
 *    Poisson process of rate lambda; after each repeat purchase the customer drops out with
 *    probability p (with `dropoutAtFirstPurchase`, also right after the first purchase: MBG/NBD).
 *    Observation ends at `days`; T = days − acquisition. Purchases are modulated by the customer's
 *    weekly/daily profile (weekend boost, hour profile) with weekly mean 1, by thinning: the count
 *    over whole weeks stays Poisson(lambda·length), so BG/NBD holds up to less than a day of
 *    "effective time" (P(alive at T) = exp(−lambda·p·T) still, to that precision).
 *
 * 3. Spend: Gamma-Gamma exactly. nu ~ Gamma(q, rate v) per customer, each purchase amount
 *    z ~ Gamma(p, rate nu) (mean p/nu), rounded to cents. margin = amount × margin rate, the rate
 *    set by the customer's high-margin preference (Beta by type) times the category's factor.
 *    Each purchase has a category (customer's Dirichlet preference), a product (popularity-skewed),
 *    quantity 1 + Poisson, and a channel store / web / app (customer's preference). A share of
 *    purchases is refunded Exp(mean refundDelayDays) later (full, or 20–90%); refunds can follow
 *    a dropout (returning the last purchase is a real way to leave).
 *
 * 4. Types (truth file only). Purchasers are `regular`, `vip`, `influencer`, `browser`,
 *    `bargain` with the configured weights. To keep the population exactly BG/NBD and
 *    Gamma-Gamma, lambda and nu are drawn first from the population distributions; the type is then
 *    drawn given the cell (tercile of lambda's CDF) × (tercile of mean spend, i.e. of 1 − CDF of nu):
 *    P(type | cell) = 9 · weight · P_type(cell), with `regular` taking the remainder of each cell.
 *    Summed over cells this gives exactly the mixture weights, and the marginals are untouched.
 *    vip: high lambda and spend; influencer: low spend, ×12 referrals, ×10 shares, ×6 reviews;
 *    browser: low lambda, ×3 engagement; bargain: low spend, low margin preference.
 *
 * 5. Engagement while active: visits (store/web, duration_s), app sessions (duration_s),
 *    content interactions, event participation, shares, referrals, feedback — a modulated Poisson
 *    process whose rate is base × type multiplier × (lambda / E[lambda])^elasticity × log-normal
 *    noise, so engagement predicts purchasing. Activity fades linearly to `fadeFloor` over the
 *    `fadeDays` before dropout and stops at dropout; support tickets instead become more frequent
 *    (and worse rated) in the fade. Nothing at all happens after dropout except refunds (campaigns
 *    too, unless `sendAfterDropout`), so churn is learnable from activity.
 *
 * 6. Social: referral events name in related_customer_id another customer whose first event lies
 *    within `referralWindowDays` after the referral (each customer is referred at most once;
 *    a referral with no free candidate is not emitted). Reviews follow purchases (rating 1–5).
 *
 * 7. Service: feedback and support tickets carry a rating around the customer's latent
 *    satisfaction, which falls with p (customers likely to leave are less happy).
 *
 * 8. Campaigns: a global calendar (catalog.ts). A customer who is known (signed up or purchased),
 *    active, and consented on the campaign's channel is targeted with the campaign's audience
 *    share: campaign_sent, then opened (channel rate × responsiveness × activity), clicked, and
 *    campaign_converted at the first purchase within `conversionWindowDays` of the click.
 *    Campaigns do not cause purchases (purchasing stays exactly BG/NBD).
 *
 * 9. Identities. Every customer has customer_id `C000001`; most have member_id, e-mail, phone.
 *    Most rows carry customer_id only; a share of store rows carry only the phone, of e-mail
 *    campaign rows only the e-mail, of app rows only the member id; web purchases sometimes carry
 *    the e-mail too. One row per customer (signup if any, else the first purchase, else the first
 *    event) carries customer_id with every identifier, which links them (One ID) — except for
 *    `unlinkedShare` of customers, one of whose identifiers is never written beside another
 *    identifier (nor in the profile file); those are listed in the truth file. E-mail and phone
 *    are written with case/space and separator variants that trim+lowercase and strip-non-digits
 *    reconcile.
 *
 * 10. Every row gets event_id `s<seed>-<customer_id>-<n>`; a customer's rows are sorted by time.
 */
import type { EventType } from '../domain/event.js';
import { popularProduct, productId, type Campaign } from './catalog.js';
import { customerId, emailVariant, phoneVariant } from './identity.js';
import type { GeneratorParams } from './params.js';
import { clamp, drawLatent, type CustomerLatent, type GeneratorContext } from './population.js';
import {
  bernoulli,
  categorical,
  createRng,
  exponential,
  gamma,
  logNormal,
  normal,
  pick,
  poisson,
  randomInt,
  uniform,
  type Rng,
} from './random.js';
import type { CustomerProfile, CustomerTruth, EventRow, IdentifierKind, SimulatedCustomer, UnlinkedIdentity } from './rows.js';
import { ActivityProfile, atLocalHour, ONE_SECOND } from './time.js';

// The population and the row shapes are part of this module's API.
export * from './population.js';
export * from './rows.js';

// ---------------------------------------------------------------------------------------------
// Events of one customer

/** An event row before sorting, with its position in days. All keys present: one hidden class. */
interface Draft extends EventRow {
  t: number;
}

function draft(t: number, type: EventType): Draft {
  return {
    customer_id: undefined,
    member_id: undefined,
    email: undefined,
    phone: undefined,
    type,
    ts: '',
    event_id: '',
    amount: undefined,
    margin: undefined,
    quantity: undefined,
    product_id: undefined,
    category: undefined,
    channel: undefined,
    duration_s: undefined,
    rating: undefined,
    related_customer_id: undefined,
    campaign_id: undefined,
    action_id: undefined,
    t,
  };
}

function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Index of the first element of an ascending array greater than x. */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Picks a not-yet-referred customer whose first event is in (t, t + window]; −1 if none is found. */
function claimReferral(ctx: GeneratorContext, rng: Rng, t: number, self: number): number {
  const lo = upperBound(ctx.firstTouchSorted, t);
  const hi = upperBound(ctx.firstTouchSorted, t + ctx.params.social.referralWindowDays);
  if (hi <= lo) return -1;
  for (let attempt = 0; attempt < 8; attempt++) {
    const candidate = ctx.firstTouchOrder[lo + randomInt(rng, hi - lo)] ?? -1;
    if (candidate >= 0 && candidate !== self && ctx.referred[candidate] === 0) {
      ctx.referred[candidate] = 1;
      return candidate;
    }
  }
  return -1;
}

const PURCHASE_CHANNELS = ['store', 'web', 'app'] as const;
const ENGAGEMENT_KINDS = [
  'visit',
  'app_session',
  'content_interaction',
  'event_participation',
  'referral',
  'share',
  'feedback',
] as const satisfies readonly EventType[];

const CAMPAIGN_BY_CUSTOMER_ID = 0;
const CAMPAIGN_BY_EMAIL = 1;
const CAMPAIGN_BY_MEMBER = 2;

/**
 * Simulation of one customer's window. A class (not closures) so that nothing is allocated per
 * customer beyond the rows themselves: this runs ~200,000 times for a 10M-event file.
 */
class CustomerRun {
  readonly drafts: Draft[] = [];
  readonly rng: Rng;
  readonly activity: ActivityProfile;
  readonly purchaseTimes: number[] = [];
  death: number | null = null;
  activeEnd = 0;
  start = 0;
  referrals = 0;
  signupDraft: Draft | null = null;
  firstPurchase: Draft | null = null;
  aware: Draft | null = null;
  signupTime: number | null = null;
  private readonly days: number;
  private readonly params: GeneratorParams;
  private readonly cid: string;

  constructor(
    private readonly ctx: GeneratorContext,
    private readonly latent: CustomerLatent,
  ) {
    this.params = ctx.params;
    this.days = ctx.options.days;
    this.cid = latent.customerId;
    this.rng = createRng(ctx.options.seed, latent.index, 'events');
    this.activity = new ActivityProfile(ctx.calendar.startDow, latent.weekendBoost, ctx.hours, ctx.params.timing.utcOffsetHours);
  }

  run(): SimulatedCustomer {
    this.lifetime();
    this.funnel();
    this.purchases();
    this.engagement();
    this.support();
    this.campaigns();
    this.linkIdentities();
    return this.finish();
  }

  // --- identities on rows ---------------------------------------------------------------------

  private linked(kind: IdentifierKind): boolean {
    return this.latent.unlinked !== kind;
  }
  private phoneAs(): string {
    const idp = this.params.identity;
    return phoneVariant(this.rng, this.latent.phone ?? '', idp.phoneVariantShare, idp.phoneInternationalShare);
  }
  private emailAs(): string {
    return emailVariant(this.rng, this.latent.email ?? '', this.params.identity.emailVariantShare);
  }
  /** Store systems (POS) often know the customer by phone only. */
  private atStore(d: Draft): void {
    const l = this.latent;
    if (l.phone && (l.unlinked === 'phone' || bernoulli(this.rng, this.params.identity.storePhoneOnlyShare))) d.phone = this.phoneAs();
    else d.customer_id = this.cid;
  }
  /** The app often logs the member id only. */
  private inApp(d: Draft): void {
    const l = this.latent;
    if (l.memberId && (l.unlinked === 'member_id' || bernoulli(this.rng, this.params.identity.appMemberOnlyShare))) d.member_id = l.memberId;
    else d.customer_id = this.cid;
  }
  private byChannel(d: Draft, channel: string): void {
    if (channel === 'store') this.atStore(d);
    else if (channel === 'app') this.inApp(d);
    else d.customer_id = this.cid;
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Share of normal activity at t: 1, fading linearly to `fadeFloor` before dropout, 0 after. */
  alive(t: number): number {
    if (t >= this.activeEnd) return 0;
    const fade = this.params.engagement.fadeDays;
    if (this.death === null || fade <= 0 || t <= this.activeEnd - fade) return 1;
    const floor = this.params.engagement.fadeFloor;
    return floor + ((1 - floor) * (this.activeEnd - t)) / fade;
  }
  private push(t: number, type: EventType): Draft {
    const d = draft(t, type);
    this.drafts.push(d);
    return d;
  }
  private durationS(median: number): number {
    return Math.max(1, Math.round(logNormal(this.rng, Math.log(median), this.params.engagement.durationSigma)));
  }
  private storeOrWeb(): 'store' | 'web' {
    const s = this.latent.channelPref[0] ?? 0;
    const w = this.latent.channelPref[1] ?? 0;
    return this.rng() * (s + w) < s ? 'store' : 'web';
  }
  private visit(t: number, channel: 'store' | 'web'): Draft {
    const eng = this.params.engagement;
    const d = this.push(t, 'visit');
    d.channel = channel;
    d.duration_s = this.durationS(channel === 'store' ? eng.storeVisitMedianS : eng.webVisitMedianS);
    if (channel === 'store') this.atStore(d);
    else d.customer_id = this.cid;
    return d;
  }
  /** Sets category (by preference) and a popular product of it; returns the category index. */
  private setProduct(d: Draft): number {
    const pur = this.params.purchases;
    const cat = categorical(this.rng, this.latent.categoryPref);
    const name = pur.categories[cat]?.name ?? 'general';
    d.category = name;
    d.product_id = productId(name, popularProduct(this.rng, pur.productsPerCategory));
    return cat;
  }
  /** t moved to a likely hour of its local day, if that stays within [lo, hi); else t. */
  private atLocalHour(t: number, lo: number, hi: number): number {
    const moved = atLocalHour(this.rng, t, this.ctx.hours.weights, this.params.timing.utcOffsetHours);
    return moved >= lo && moved < hi ? moved : t;
  }
  private rating(mean: number): number {
    return clamp(Math.round(normal(this.rng, mean, this.params.service.ratingSd)), 1, 5);
  }

  // --- lifetime: purchases and dropout ------------------------------------------------------------

  private lifetime(): void {
    const l = this.latent;
    const rng = this.rng;
    const days = this.days;
    if (l.prospect) {
      this.start = l.firstTouch;
      const lapse = l.firstTouch + l.activeDays;
      this.death = lapse < days ? lapse : null;
    } else {
      this.start = l.acquisition;
      this.purchaseTimes.push(l.acquisition);
      if (this.params.bgnbd.dropoutAtFirstPurchase && bernoulli(rng, l.p)) {
        this.death = l.acquisition;
      } else {
        const max = this.activity.max;
        const envelope = l.lambda * max;
        let t = l.acquisition;
        for (;;) {
          t += exponential(rng, envelope);
          if (t >= days) break;
          if (rng() * max >= this.activity.at(t)) continue; // thinning to the weekly/daily profile
          this.purchaseTimes.push(t);
          if (bernoulli(rng, l.p)) {
            this.death = t;
            break;
          }
        }
      }
    }
    this.activeEnd = this.death ?? days;
  }

  // --- funnel: aware → trial → joined -------------------------------------------------------------

  private funnel(): void {
    const l = this.latent;
    const rng = this.rng;
    this.aware = this.visit(l.firstTouch, this.storeOrWeb());
    let trialTime: number | null = null;
    let signupTime: number | null = null;
    if (l.prospect) {
      const span = this.activeEnd - l.firstTouch;
      if (l.trial) trialTime = this.atLocalHour(l.firstTouch + rng() * span, l.firstTouch, this.activeEnd);
      const from = trialTime ?? l.firstTouch;
      if (l.signup) signupTime = this.atLocalHour(from + rng() * (this.activeEnd - from), from, this.activeEnd);
    } else {
      // Lead visits between awareness and the first purchase.
      const max = this.activity.max;
      const lead = this.params.funnel.leadVisitPerDay * max;
      if (lead > 0) {
        let t = l.firstTouch;
        for (;;) {
          t += exponential(rng, lead);
          if (t >= l.acquisition) break;
          if (rng() * max < this.activity.at(t)) this.visit(t, this.storeOrWeb());
        }
      }
      const span = l.acquisition - l.firstTouch;
      const a = this.atLocalHour(l.firstTouch + rng() * span, l.firstTouch, l.acquisition);
      const b = this.atLocalHour(l.firstTouch + rng() * span, l.firstTouch, l.acquisition);
      if (l.trial && l.signup) {
        trialTime = Math.min(a, b);
        signupTime = Math.max(a, b);
      } else if (l.trial) trialTime = a;
      else if (l.signup) signupTime = a;
    }
    if (trialTime !== null) {
      const d = this.push(trialTime, 'trial');
      d.channel = pick(rng, PURCHASE_CHANNELS, l.channelPref);
      this.setProduct(d);
      this.byChannel(d, d.channel);
    }
    if (signupTime !== null) {
      const d = this.push(signupTime, 'signup');
      d.channel = pick(rng, PURCHASE_CHANNELS, l.channelPref);
      d.customer_id = this.cid;
      this.signupDraft = d;
    }
    this.signupTime = signupTime;
  }

  // --- purchases, refunds, reviews ----------------------------------------------------------------

  private purchases(): void {
    const l = this.latent;
    const rng = this.rng;
    const pur = this.params.purchases;
    const idp = this.params.identity;
    for (const t of this.purchaseTimes) {
      const d = this.push(t, 'purchase');
      const amount = cents(gamma(rng, this.params.gammaGamma.p, l.nu));
      const cat = this.setProduct(d);
      const factor = pur.categories[cat]?.marginFactor ?? 1;
      const channel = pick(rng, PURCHASE_CHANNELS, l.channelPref);
      d.amount = amount;
      d.margin = cents(amount * clamp(l.marginRate * factor, 0, 0.95));
      d.quantity = 1 + poisson(rng, pur.quantityExtraMean);
      d.channel = channel;
      if (channel === 'web') {
        d.customer_id = this.cid;
        if (l.email && this.linked('email') && bernoulli(rng, idp.webEmailShare)) d.email = this.emailAs();
      } else this.byChannel(d, channel);
      this.firstPurchase ??= d;

      if (bernoulli(rng, pur.refundShare)) {
        const tr = this.atLocalHour(t + exponential(rng, 1 / pur.refundDelayDays), t, this.days);
        if (tr < this.days) {
          const r = this.push(tr, 'refund');
          const share = bernoulli(rng, pur.refundFullShare) ? 1 : uniform(rng, 0.2, 0.9);
          r.amount = Math.min(amount, Math.floor(amount * share * 100) / 100);
          r.quantity = d.quantity;
          r.product_id = d.product_id;
          r.category = d.category;
          r.channel = channel;
          this.byChannel(r, channel);
        }
      }
      if (bernoulli(rng, l.reviewProb)) {
        const tv = this.atLocalHour(t + exponential(rng, 1 / 3), t, this.activeEnd);
        if (tv < this.activeEnd) {
          const v = this.push(tv, 'review');
          v.rating = this.rating(l.satisfaction);
          v.product_id = d.product_id;
          v.category = d.category;
          v.channel = rng() < 0.5 ? 'web' : 'app';
          this.byChannel(v, v.channel);
        }
      }
    }
  }

  // --- engagement while active --------------------------------------------------------------------

  private engagement(): void {
    const l = this.latent;
    const rng = this.rng;
    const eng = this.params.engagement;
    const appFactor = 0.25 + 2.25 * (l.channelPref[2] ?? 0); // mean 1 over Dirichlet(1) preferences
    const e = l.engagement;
    // Prospects only look around (visits); everything else needs a relationship.
    const rates = l.prospect
      ? [eng.visitPerDay * e, 0, 0, 0, 0, 0, 0]
      : [
          eng.visitPerDay * e,
          eng.appSessionPerDay * e * appFactor,
          eng.contentPerDay * e,
          eng.eventParticipationPerDay * e,
          l.referralRate,
          l.shareRate,
          this.params.service.feedbackPerDay,
        ];
    const total = rates.reduce((x, y) => x + y, 0);
    if (!(total > 0)) return;
    const max = this.activity.max;
    const envelope = total * max;
    let t = this.start;
    for (;;) {
      t += exponential(rng, envelope);
      if (t >= this.activeEnd) break;
      if (rng() * max >= this.activity.at(t) * this.alive(t)) continue;
      switch (ENGAGEMENT_KINDS[categorical(rng, rates)]) {
        case 'visit':
          this.visit(t, this.storeOrWeb());
          break;
        case 'app_session': {
          const d = this.push(t, 'app_session');
          d.channel = 'app';
          d.duration_s = this.durationS(eng.appSessionMedianS);
          this.inApp(d);
          break;
        }
        case 'content_interaction': {
          const d = this.push(t, 'content_interaction');
          const web = l.channelPref[1] ?? 0;
          const app = l.channelPref[2] ?? 0;
          const u = rng() * (web + app + 0.3);
          d.channel = u < web ? 'web' : u < web + app ? 'app' : 'line';
          this.setProduct(d);
          d.product_id = undefined; // content is about a category, not a product
          this.byChannel(d, d.channel);
          break;
        }
        case 'event_participation': {
          const d = this.push(t, 'event_participation');
          d.channel = rng() < 0.6 ? 'store' : 'online';
          d.customer_id = this.cid;
          break;
        }
        case 'referral': {
          const target = claimReferral(this.ctx, rng, t, l.index);
          if (target < 0) break;
          const d = this.push(t, 'referral');
          d.channel = pick(rng, REFERRAL_CHANNELS, REFERRAL_WEIGHTS);
          d.related_customer_id = customerId(target, this.ctx.idWidth);
          d.customer_id = this.cid;
          this.referrals++;
          break;
        }
        case 'share': {
          const d = this.push(t, 'share');
          d.channel = pick(rng, SHARE_CHANNELS, SHARE_WEIGHTS);
          this.setProduct(d);
          d.customer_id = this.cid;
          break;
        }
        case 'feedback': {
          const d = this.push(t, 'feedback');
          d.channel = pick(rng, FEEDBACK_CHANNELS, FEEDBACK_WEIGHTS);
          d.rating = this.rating(l.satisfaction);
          this.byChannel(d, d.channel);
          break;
        }
        default:
          break;
      }
    }
  }

  /** Support tickets: more frequent and worse rated while fading towards dropout. */
  private support(): void {
    const svc = this.params.service;
    if (!(svc.supportPerDay > 0) || this.latent.prospect) return;
    const rng = this.rng;
    const max = this.activity.max;
    const peak = 1 + svc.supportFadeBoost;
    const envelope = svc.supportPerDay * peak * max;
    let t = this.start;
    for (;;) {
      t += exponential(rng, envelope);
      if (t >= this.activeEnd) break;
      const friction = 1 - this.alive(t); // 0 normally, up to 1 − fadeFloor just before dropout
      if (rng() * max * peak >= this.activity.at(t) * (1 + svc.supportFadeBoost * friction)) continue;
      const d = this.push(t, 'support_ticket');
      d.channel = pick(rng, SUPPORT_CHANNELS, SUPPORT_WEIGHTS);
      d.rating = this.rating(this.latent.satisfaction - 1.5 * friction);
      this.byChannel(d, d.channel);
    }
  }

  // --- campaigns ---------------------------------------------------------------------------------

  private campaignEvent(c: Campaign, t: number, type: EventType, by: number, value: string): void {
    const d = this.push(t, type);
    d.campaign_id = c.id;
    d.action_id = c.actionId;
    d.channel = c.channel;
    if (by === CAMPAIGN_BY_EMAIL) d.email = value;
    else if (by === CAMPAIGN_BY_MEMBER) d.member_id = value;
    else d.customer_id = this.cid;
  }

  private campaigns(): void {
    const l = this.latent;
    const rng = this.rng;
    const cp = this.params.campaigns;
    const idp = this.params.identity;
    const known = l.prospect ? (this.signupTime ?? Number.POSITIVE_INFINITY) : Math.min(this.signupTime ?? Infinity, l.acquisition);
    const sendUntil = cp.sendAfterDropout ? this.days : this.activeEnd;
    let attributed: Set<number> | null = null;
    for (const c of this.ctx.campaigns) {
      if (c.sendAt < known) continue;
      if (c.sendAt >= sendUntil) break;
      if (!l.consent[c.channel] || !bernoulli(rng, c.audience)) continue;
      // One identity for the whole delivery, as the sending system records it.
      let by = CAMPAIGN_BY_CUSTOMER_ID;
      let value = '';
      if (c.channel === 'email' && l.email && (l.unlinked === 'email' || bernoulli(rng, idp.emailOnlyShare))) {
        by = CAMPAIGN_BY_EMAIL;
        value = this.emailAs();
      } else if (c.channel === 'push' && l.memberId && (l.unlinked === 'member_id' || bernoulli(rng, idp.appMemberOnlyShare))) {
        by = CAMPAIGN_BY_MEMBER;
        value = l.memberId;
      }
      const sent = Math.min(this.days - ONE_SECOND, c.sendAt + rng() * (0.5 / 24)); // sending takes up to 30 min
      if (sent >= sendUntil) continue;
      this.campaignEvent(c, sent, 'campaign_sent', by, value);
      const openP = Math.min(0.95, cp.openRate[c.channel] * l.responsiveness * this.alive(sent));
      if (!bernoulli(rng, openP)) continue;
      const opened = sent + exponential(rng, 1 / 0.3); // mean ~7 hours
      if (opened >= this.activeEnd) continue;
      this.campaignEvent(c, opened, 'campaign_opened', by, value);
      if (!bernoulli(rng, Math.min(0.9, cp.clickRate * l.responsiveness))) continue;
      const clicked = opened + exponential(rng, 144); // mean 10 minutes
      if (clicked >= this.activeEnd) continue;
      this.campaignEvent(c, clicked, 'campaign_clicked', by, value);
      const times = this.purchaseTimes;
      for (let k = 0; k < times.length; k++) {
        const pt = times[k] ?? 0;
        if (pt <= clicked) continue;
        if (pt > clicked + cp.conversionWindowDays) break;
        attributed ??= new Set<number>();
        if (attributed.has(k)) continue;
        attributed.add(k);
        this.campaignEvent(c, pt, 'campaign_converted', CAMPAIGN_BY_CUSTOMER_ID, '');
        break;
      }
    }
  }

  // --- One ID: one row links every linked identifier to the customer id -----------------------------

  private linkIdentities(): void {
    const l = this.latent;
    const link = this.signupDraft ?? this.firstPurchase ?? this.aware;
    if (!link) return;
    link.customer_id = this.cid;
    link.member_id = l.memberId && this.linked('member_id') ? l.memberId : undefined;
    link.email = l.email && this.linked('email') ? this.emailAs() : undefined;
    link.phone = l.phone && this.linked('phone') ? this.phoneAs() : undefined;
  }

  // --- finish ------------------------------------------------------------------------------------

  private finish(): SimulatedCustomer {
    const l = this.latent;
    const drafts = this.drafts;
    const calendar = this.ctx.calendar;
    drafts.sort(byTime);
    const prefix = `s${this.ctx.options.seed}-${this.cid}-`;
    for (let k = 0; k < drafts.length; k++) {
      const d = drafts[k] as Draft;
      d.ts = calendar.formatTs(d.t);
      d.event_id = prefix + (k + 1);
    }
    const profile: CustomerProfile = {
      customer_id: this.cid,
      member_id: l.memberId && this.linked('member_id') ? l.memberId : undefined,
      email: l.email && this.linked('email') ? l.email : undefined,
      phone: l.phone && this.linked('phone') ? l.phone : undefined,
      signup_ts: this.signupDraft ? this.signupDraft.ts : undefined,
      consent_email: l.consent.email,
      consent_sms: l.consent.sms,
      consent_line: l.consent.line,
      consent_push: l.consent.push,
    };
    const times = this.purchaseTimes;
    const last = times[times.length - 1];
    const truth: CustomerTruth = {
      customer_id: this.cid,
      type: l.type,
      acquisition_day: l.prospect ? null : l.acquisition,
      first_touch_day: l.firstTouch,
      T: l.prospect ? null : this.days - l.acquisition,
      lambda: l.prospect ? null : l.lambda,
      p: l.prospect ? null : l.p,
      nu: l.prospect ? null : l.nu,
      dropout_day: this.death,
      x: Math.max(0, times.length - 1),
      t_x: last === undefined || l.prospect ? 0 : last - l.acquisition,
      purchases: times.length,
      referrals: this.referrals,
      engagement: l.engagement,
      unlinked: l.unlinked,
    };
    let unlinked: UnlinkedIdentity | null = null;
    if (l.unlinked) {
      const value = l.unlinked === 'member_id' ? l.memberId : l.unlinked === 'email' ? l.email : l.phone;
      if (value) unlinked = { customer_id: this.cid, kind: l.unlinked, value };
    }
    return { events: drafts, profile, truth, unlinked };
  }
}

function byTime(x: Draft, y: Draft): number {
  return x.t - y.t;
}

const REFERRAL_CHANNELS = ['line', 'app', 'web'] as const;
const REFERRAL_WEIGHTS = [0.5, 0.3, 0.2];
const SHARE_CHANNELS = ['line', 'facebook', 'instagram'] as const;
const SHARE_WEIGHTS = [0.5, 0.3, 0.2];
const FEEDBACK_CHANNELS = ['web', 'app', 'line'] as const;
const FEEDBACK_WEIGHTS = [0.4, 0.3, 0.3];
const SUPPORT_CHANNELS = ['call_center', 'web', 'line', 'store'] as const;
const SUPPORT_WEIGHTS = [0.3, 0.3, 0.25, 0.15];

/** Simulates everything customer `latent` does in the window. Mutates only `ctx.referred`. */
export function simulateCustomer(ctx: GeneratorContext, latent: CustomerLatent): SimulatedCustomer {
  return new CustomerRun(ctx, latent).run();
}

/** All customers in index order. Uses (and mutates) the context's referral bookkeeping: iterate once per context. */
export function* simulateCustomers(ctx: GeneratorContext): Generator<SimulatedCustomer> {
  for (let i = 0; i < ctx.options.customers; i++) yield simulateCustomer(ctx, drawLatent(ctx, i));
}
