/**
 * Identifiers of generated customers and the ways they are written in different systems.
 *
 * - customer_id `C000001` (index + 1, at least 6 digits), member_id `M` + 8 digits, a Taiwanese
 *   mobile phone `09xxxxxxxx`, and an e-mail at a reserved example domain. Member ids and phones are
 *   seed-keyed bijections of the index (so unique for fewer than 10^8 customers).
 * - Variants only in ways a normaliser reconciles: e-mail case and surrounding spaces
 *   (trim + lowercase), phone separators (strip non-digits). The international form +886 … is
 *   used only when asked for, because its digits differ unless the normaliser adds the country code.
 */
import { hashWords, pick, randomInt, type Rng } from './random.js';

const GIVEN = [
  'yating', 'chihao', 'meiling', 'junjie', 'shuhua', 'weiting', 'yuchen', 'hsinyi', 'chiawei', 'pinyu',
  'tzuhan', 'kuanlin', 'yuhsuan', 'chengen', 'shihan', 'poyu', 'anna', 'kevin', 'vivian', 'jason',
];
const FAMILY = ['chen', 'lin', 'huang', 'chang', 'lee', 'wang', 'wu', 'liu', 'tsai', 'yang', 'hsu', 'cheng'];
const DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example.com'];

/**
 * A bijection of [0, 10^8) keyed by `key`: a 4-round Feistel network on two 4-digit halves.
 * Unique outputs for unique indices, but consecutive customers get unrelated-looking numbers.
 */
function scramble8(index: number, key: number): number {
  let left = Math.floor(index / 10_000) % 10_000;
  let right = index % 10_000;
  for (let round = 0; round < 4; round++) {
    const next = (left + (hashWords(key, round, right) % 10_000)) % 10_000;
    left = right;
    right = next;
  }
  return left * 10_000 + right;
}

export function customerIdWidth(customers: number): number {
  return Math.max(6, String(customers).length);
}

export function customerId(index: number, width: number): string {
  return `C${String(index + 1).padStart(width, '0')}`;
}

export function memberId(index: number, seed: number): string {
  return `M${String(scramble8(index, hashWords(seed, 'member'))).padStart(8, '0')}`;
}

/** Canonical national form, digits only: 09xxxxxxxx. */
export function phoneNumber(index: number, seed: number): string {
  return `09${String(scramble8(index, hashWords(seed, 'phone'))).padStart(8, '0')}`;
}

/** Canonical lower-case e-mail; the index suffix keeps it unique. */
export function emailAddress(rng: Rng, index: number): string {
  return `${pick(rng, GIVEN)}.${pick(rng, FAMILY)}${index + 1}@${pick(rng, DOMAINS)}`;
}

/** The e-mail as one system wrote it: sometimes capitalised, upper-cased or padded with spaces. */
export function emailVariant(rng: Rng, email: string, share: number): string {
  if (rng() >= share) return email;
  switch (randomInt(rng, 3)) {
    case 0: {
      const [local = '', domain = ''] = email.split('@');
      const cap = local
        .split('.')
        .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
        .join('.');
      return `${cap}@${domain}`;
    }
    case 1:
      return email.toUpperCase();
    default:
      return ` ${email} `;
  }
}

/** The phone as one system wrote it: 0912345678, 0912-345-678, 0912 345 678, (09)1234-5678 or +886 912 345 678. */
export function phoneVariant(rng: Rng, phone: string, share: number, internationalShare: number): string {
  if (internationalShare > 0 && rng() < internationalShare) {
    return `+886 ${phone.slice(1, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`;
  }
  if (rng() >= share) return phone;
  switch (randomInt(rng, 3)) {
    case 0:
      return `${phone.slice(0, 4)}-${phone.slice(4, 7)}-${phone.slice(7)}`;
    case 1:
      return `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`;
    default:
      return `(${phone.slice(0, 2)})${phone.slice(2, 6)}-${phone.slice(6)}`;
  }
}

/** Reference normalisers the variants are designed for (the truth file documents them). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
export function normalisePhone(phone: string): string {
  return phone.replace(/\D/g, '');
}
