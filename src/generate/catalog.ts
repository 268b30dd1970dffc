/**
 * What the business offers: product catalogue (categories × products) and the global campaign
 * calendar. Both are fixed by the parameters and the seed, shared by all customers.
 */
import type { GeneratorParams } from './params.js';
import { createRng, pick, uniform, type Rng } from './random.js';

export const CAMPAIGN_CHANNELS = ['email', 'sms', 'line', 'push'] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];

export interface Campaign {
  readonly id: string;
  readonly actionId: string;
  readonly channel: CampaignChannel;
  /** Position (days since start) at which the campaign is sent. */
  readonly sendAt: number;
  /** Share of eligible customers it targets. */
  readonly audience: number;
}

/** Product id `P-GRO-007`: category code + 3-digit product number. */
export function productId(categoryName: string, product: number): string {
  return `P-${categoryName.slice(0, 3).toUpperCase()}-${String(product + 1).padStart(3, '0')}`;
}

/** A product number skewed towards popular (low-numbered) products: floor(n · U²). */
export function popularProduct(rng: Rng, productsPerCategory: number): number {
  const u = rng();
  return Math.min(productsPerCategory - 1, Math.floor(productsPerCategory * u * u));
}

/** Campaigns every ~`everyDays` over the window, each on one channel with one action. */
export function campaignCalendar(params: GeneratorParams, seed: number, days: number): Campaign[] {
  const c = params.campaigns;
  const rng = createRng(seed, 'campaigns');
  const weights = CAMPAIGN_CHANNELS.map((ch) => c.channelWeights[ch]);
  const campaigns: Campaign[] = [];
  let day = uniform(rng, 0, c.everyDays);
  while (day < days) {
    const sendHour = 9 + Math.floor(rng() * 11); // 09:00–19:59 local time
    const sendAt = Math.floor(day) + (sendHour - params.timing.utcOffsetHours) / 24 + rng() / 24;
    if (sendAt >= 0 && sendAt < days) {
      campaigns.push({
        id: `CMP${String(campaigns.length + 1).padStart(4, '0')}`,
        actionId: pick(rng, c.actions),
        channel: pick(rng, CAMPAIGN_CHANNELS, weights),
        sendAt,
        audience: uniform(rng, c.audienceMin, c.audienceMax),
      });
    }
    day += c.everyDays * uniform(rng, 0.5, 1.5);
  }
  return campaigns;
}
