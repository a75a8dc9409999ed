// Review and tip words and rules the web app shows (SPEC 7): the 30-day window, stars in words,
// tip presets and amounts, a tip's outcome in a sentence, and the Idempotency-Key a review
// with a tip is sent with. The server has the final word on every rule.

import type { Booking } from './api/bookings-types';
import type { Tip, TipStatus } from './api/reviews-types';
import { newIdempotencyKey } from './bookings';
import { money } from './lessons';

/** The longest review text or instructor response, in characters. */
export const MAX_REVIEW_TEXT = 500;
/** A lesson may be reviewed until this long after it ends. */
export const REVIEW_WINDOW_MS = 30 * 86_400_000;
/** Tip presets, in cents: $5, $10, $20 (and "Custom"). */
export const TIP_PRESETS: readonly number[] = [500, 1000, 2000];
/** The largest tip the server takes ($500). */
export const MAX_TIP_CENTS = 50_000;

export const RATING_WORD: Record<number, string> = {
  1: 'Poor',
  2: 'Fair',
  3: 'Good',
  4: 'Great',
  5: 'Excellent',
};

/** "5 stars", "1 star". */
export function starsLabel(n: number): string {
  return `${n} ${n === 1 ? 'star' : 'stars'}`;
}

/** When the review window closes (30 days after the lesson ends). */
export function reviewDeadline(b: Pick<Booking, 'end'>): Date {
  return new Date(Date.parse(b.end) + REVIEW_WINDOW_MS);
}

/**
 * Whether the student may still review this lesson, as far as the browser can tell: completed,
 * no absence report open or disputed, and within 30 days of its end.
 */
export function reviewable(b: Pick<Booking, 'status' | 'end' | 'no_show'>, now = Date.now()): boolean {
  if (b.status !== 'completed') return false;
  const report = b.no_show?.state;
  if (report === 'open' || report === 'disputed') return false;
  return now <= reviewDeadline(b).getTime();
}

/**
 * Dollars typed by the student ("12", "12.50", "$12") in cents; null when it is not an amount
 * with at most two decimals.
 */
export function parseTipDollars(input: string): number | null {
  const s = input.trim().replace(/^\$/, '').replace(/,/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(s) && !/^\.\d{1,2}$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

/** Why a custom tip amount is refused, or null when it is fine. */
export function tipAmountProblem(cents: number | null): string | null {
  if (cents === null) return 'Enter an amount in dollars, like 15 or 12.50.';
  if (cents < 100) return 'A tip is at least $1.';
  if (cents > MAX_TIP_CENTS) return `A tip is at most ${money(MAX_TIP_CENTS)}.`;
  return null;
}

const DECLINE_WORDS: Record<string, string> = {
  insufficient_funds: 'the card has insufficient funds',
  expired_card: 'the card has expired',
  incorrect_cvc: 'the security code did not match',
  lost_card: 'the card was reported lost',
  stolen_card: 'the card was reported stolen',
  processing_error: 'the bank had a processing error',
  authentication_failed: 'the bank’s check was not passed',
  authentication_required: 'the bank wants you to confirm it',
};

/** A refused tip in a sentence for its student. */
export function declineSentence(code: string | null | undefined): string {
  const why = code ? DECLINE_WORDS[code] : undefined;
  return why ? `Your bank refused the tip: ${why}.` : 'Your bank refused the tip.';
}

export function tipStatus(t: Pick<Tip, 'status'>): TipStatus {
  const s = t.status;
  return s === 'captured' || s === 'failed' || s === 'requires_action' ? s : 'pending';
}

/**
 * One key per submission of a money-moving form. The same body sent again after the request
 * got no answer (offline, 5xx) reuses its key, so the server answers it once; anything else
 * gets a fresh key.
 */
export class SubmitKey {
  private key: string | null = null;
  private body = '';

  /** The key for sending `body` now. */
  for(body: unknown): string {
    const json = JSON.stringify(body);
    if (!this.key || json !== this.body) {
      this.key = newIdempotencyKey();
      this.body = json;
    }
    return this.key;
  }

  /** The server answered (success or a refusal): the next submission is a new one. */
  answered(): void {
    this.key = null;
    this.body = '';
  }
}
