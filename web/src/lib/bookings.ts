// Words and small helpers about bookings shared by the booking panel, the student and
// instructor dashboards and the booking pages: status badges, what happened (or will happen)
// to the money in plain sentences, timeline labels, test cards and idempotency keys.
// The server decides every rule (SPEC.md §5-6); these only say what it answered.

import type {
  Booking,
  BookingEvent,
  BookingStatus,
  CancelPolicy,
  CreditGrant,
  Outcome,
  PaymentMethod,
  PaymentStatus,
} from './api/bookings-types';
import { dateIn, formatDay, timeIn, todayIn } from './dates';
import { money } from './lessons';

export type Viewer = 'student' | 'instructor';

export type Tone = 'neutral' | 'success' | 'warning' | 'primary' | 'danger';

export const STATUS_LABEL: Record<BookingStatus, string> = {
  pending_payment: 'Awaiting payment',
  confirmed: 'Confirmed',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
  payment_failed: 'Payment failed',
};

export const STATUS_TONE: Record<BookingStatus, Tone> = {
  pending_payment: 'warning',
  confirmed: 'success',
  completed: 'primary',
  cancelled: 'neutral',
  no_show: 'warning',
  payment_failed: 'danger',
};

/** A confirmed lesson whose time is over but not marked complete yet reads as "Awaiting completion". */
export function statusLabel(b: Pick<Booking, 'status' | 'end'>, now = Date.now()): string {
  if (b.status === 'confirmed' && Date.parse(b.end) <= now) return 'Awaiting completion';
  return STATUS_LABEL[b.status] ?? b.status;
}

export function statusTone(b: Pick<Booking, 'status' | 'end'>, now = Date.now()): Tone {
  if (b.status === 'confirmed' && Date.parse(b.end) <= now) return 'warning';
  return STATUS_TONE[b.status] ?? 'neutral';
}

// ---------------------------------------------------------------------------------------------
// Dates and times

/** "Tuesday, December 8" (with the year when it is not this year) in `tz`. */
export function lessonDay(iso: string, tz: string, weekday: 'long' | 'short' = 'long'): string {
  const day = dateIn(new Date(iso), tz);
  const sameYear = day.slice(0, 4) === todayIn(tz).slice(0, 4);
  return formatDay(day, {
    weekday,
    month: weekday === 'long' ? 'long' : 'short',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
  });
}

/** "3:00 PM – 4:00 PM" in `tz`. */
export function timeRange(b: Pick<Booking, 'start' | 'end'>, tz: string): string {
  return `${timeIn(b.start, tz)} – ${timeIn(b.end, tz)}`;
}

/** "Eastern Time" (or "GMT+01:00" where Intl has no name), for "4 PM Eastern Time". */
export function zoneName(tz: string, at: Date = new Date()): string {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    return part || tz;
  } catch {
    return tz;
  }
}

/**
 * When the lesson's own zone (the instructor's) differs from the viewer's: "4:00 PM – 5:00 PM
 * Eastern Standard Time", else null.
 */
export function lessonZoneNote(b: Pick<Booking, 'start' | 'end' | 'timezone'>, viewerZone: string): string | null {
  if (!b.timezone || b.timezone === viewerZone) return null;
  const a = timeRange(b, viewerZone);
  const t = timeRange(b, b.timezone);
  // Same wall-clock times in both zones (e.g. Chicago vs. Winnipeg) need no note.
  if (a === t && zoneName(viewerZone, new Date(b.start)) === zoneName(b.timezone, new Date(b.start))) return null;
  return `${t} ${zoneName(b.timezone, new Date(b.start))}`;
}

/** Hours from now until `iso` (negative once it has passed). */
export function hoursUntil(iso: string, now = Date.now()): number {
  return (Date.parse(iso) - now) / 3_600_000;
}

// ---------------------------------------------------------------------------------------------
// Money in words

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

/** What the payment status means, in one or two sentences for `viewer`. */
export function paymentWords(b: Booking, viewer: Viewer, tz: string): string {
  const total = money(b.total_charge_cents);
  const status: PaymentStatus = b.payment_status;
  if (viewer === 'instructor') {
    const payout = money(b.instructor_payout_cents);
    switch (status) {
      case 'scheduled':
        return `The student’s card is authorised 24 hours before the lesson. You’re paid ${payout} after it.`;
      case 'authorized':
        if (b.no_show && ['open', 'disputed'].includes(b.no_show.state)) return 'The student’s payment stays on hold until the absence report is settled.';
        return b.status === 'confirmed' && Date.parse(b.end) > Date.now()
          ? `The student’s payment is on hold. You’re paid ${payout} after the lesson.`
          : `The student’s payment is on hold for the 24-hour dispute window; then your ${payout} is sent.`;
      case 'captured':
        return b.status === 'confirmed' ? `The student has paid. Your ${payout} is sent to your payouts account after the lesson.` : `Paid. Your share is sent to your payouts account.`;
      case 'locked':
        return `The student’s payment was taken when they rescheduled late; it stays with this lesson.`;
      case 'released':
        return 'Nothing was charged; the hold on the student’s card was released.';
      case 'refunded':
        return 'The student was refunded.';
      case 'failed':
        return 'The student’s card could not be authorised.';
    }
  }
  switch (status) {
    case 'scheduled': {
      const at = new Date(Date.parse(b.start) - 24 * 3_600_000).toISOString();
      return `Nothing charged yet. We’ll authorise ${total} on your card on ${lessonDay(at, tz, 'short')} at ${timeIn(at, tz)} (24 hours before), and charge it after the lesson.`;
    }
    case 'authorized':
      if (b.no_show && ['open', 'disputed'].includes(b.no_show.state)) return `${total} stays on hold on your card until the absence report is settled.`;
      return b.status === 'confirmed' && Date.parse(b.end) > Date.now()
        ? `${total} is on hold on your card. It’s charged after the lesson.`
        : `${total} is on hold on your card and is charged 24 hours after the lesson.`;
    case 'captured':
      return `${total} was charged to your card.`;
    case 'locked':
      return `${total} was charged when you rescheduled within 24 hours. If you cancel now, you get credit instead of a refund.`;
    case 'released':
      return 'Nothing was charged. Any hold on your card was released.';
    case 'refunded':
      return 'Your payment was refunded to your card.';
    case 'failed':
      return 'Your card could not be authorised, so nothing was charged.';
  }
  return '';
}

export const PAYMENT_LABEL: Record<PaymentStatus, string> = {
  scheduled: 'Not charged yet',
  authorized: 'On hold',
  captured: 'Paid',
  locked: 'Paid (locked)',
  released: 'Not charged',
  refunded: 'Refunded',
  failed: 'Failed',
};

/** Short name of a cancellation policy, for headings. */
export const POLICY_TITLE: Record<CancelPolicy, string> = {
  full_release: 'Free cancellation',
  credit_full: 'Cancelling 12–24 hours before',
  credit_half: 'Cancelling less than 12 hours before',
  instructor_cancel: 'Cancelled by the instructor',
};

/**
 * What cancelling does (`preview`) or did (`done`) to the money, in plain sentences for `viewer`.
 * `b` gives the fee and total the outcome refers to.
 */
export function outcomeLines(o: Outcome, b: Booking, viewer: Viewer, tense: 'preview' | 'done'): string[] {
  const will = tense === 'preview';
  const lines: string[] = [];
  const fee = money(b.service_fee_cents);
  const student = firstName(b.student_name) || 'The student';
  if (viewer === 'instructor') {
    if (o.policy === 'instructor_cancel') {
      if (o.refund_cents > 0) lines.push(`${student} ${will ? 'gets' : 'got'} a full refund of ${money(o.refund_cents)} to their card, service fee included.`);
      else lines.push(`${student}’s card ${will ? 'won’t be' : 'wasn’t'} charged.`);
      if (o.credit_cents > 0) lines.push(`Their ${money(o.credit_cents)} of credit ${will ? 'goes' : 'went'} back to them.`);
      lines.push(`You ${will ? 'won’t be' : 'aren’t'} paid for this lesson.`);
    } else if (o.instructor_payout_cents > 0) {
      lines.push(`You ${will ? 'receive' : 'received'} ${money(o.instructor_payout_cents)} for the late cancellation.`);
    } else {
      lines.push(`You ${will ? 'won’t be' : 'aren’t'} paid for this lesson.`);
    }
    return lines;
  }
  switch (o.policy) {
    case 'full_release':
      lines.push(will ? 'Nothing will be charged.' : 'Nothing was charged.');
      if (o.refund_cents > 0) lines.push(`${money(o.refund_cents)} ${will ? 'goes' : 'went'} back to your card.`);
      if (o.credit_cents > 0) lines.push(`The ${money(o.credit_cents)} of credit you used ${will ? 'goes' : 'went'} back to your balance.`);
      break;
    case 'credit_full':
      lines.push(`You${will ? '’ll get' : ' got'} ${money(o.credit_cents)} credit for a future lesson; the ${fee} service fee is kept.`);
      if (b.total_charge_cents > 0) lines.push(`Your card ${will ? 'is' : 'was'} charged ${money(b.total_charge_cents)}.`);
      break;
    case 'credit_half':
      lines.push(`You${will ? '’ll get' : ' got'} ${money(o.credit_cents)} credit — half the lesson price; the ${fee} service fee is kept.`);
      if (b.total_charge_cents > 0) lines.push(`Your card ${will ? 'is' : 'was'} charged ${money(b.total_charge_cents)}.`);
      break;
    case 'instructor_cancel':
      if (o.refund_cents > 0) lines.push(`${money(o.refund_cents)} ${will ? 'is' : 'was'} refunded to your card, service fee included.`);
      else lines.push(will ? 'Nothing will be charged.' : 'Nothing was charged.');
      if (o.credit_cents > 0) lines.push(`The ${money(o.credit_cents)} of credit you used ${will ? 'goes' : 'went'} back to your balance.`);
      break;
  }
  return lines;
}

/** The student's rules for moving a lesson at `hours` before it (SPEC.md §5), or null when closed. */
export function rescheduleRule(hours: number): { tone: 'info' | 'warning'; text: string } | null {
  if (hours >= 24) return { tone: 'info', text: 'Moving a lesson 24 hours or more before it is free, as often as you like.' };
  if (hours >= 12)
    return {
      tone: 'warning',
      text: 'Your lesson is less than 24 hours away: you can move it once, and your payment is taken now. Cancelling afterwards gives credit instead of a refund.',
    };
  return null;
}

// ---------------------------------------------------------------------------------------------
// Timeline

const EVENT_LABEL: Record<string, string> = {
  booked: 'Booked',
  payment_authorized: 'Card authorised',
  payment_failed: 'Card authorisation failed',
  payment_deadline: 'Cancelled: no payment by the deadline',
  cancelled: 'Cancelled',
  rescheduled: 'Moved to another time',
  completed: 'Marked complete',
  no_show_reported: 'Reported absent',
  no_show_disputed: 'Absence disputed',
  no_show_upheld: 'Absence confirmed',
  no_show_rejected: 'Absence report rejected',
  settled: 'Payment settled',
  settle_failed: 'Payment settlement delayed',
};

const ACTOR_LABEL: Record<string, string> = {
  student: 'Student',
  instructor: 'Instructor',
  system: 'InstaInstru',
  admin: 'InstaInstru support',
};

export function eventLabel(e: BookingEvent): string {
  if (e.kind === 'booked' && /^moved from /.test(e.detail)) return 'Booked (moved from another time)';
  return EVENT_LABEL[e.kind] ?? e.kind.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** Who did it, from `viewer`'s side ("You", "Maria S.", "InstaInstru"). */
export function eventActor(e: BookingEvent, b: Booking, viewer: Viewer): string {
  if (e.actor === viewer) return 'You';
  if (e.actor === 'student') return b.student_name || ACTOR_LABEL.student;
  if (e.actor === 'instructor') return b.instructor_name || ACTOR_LABEL.instructor;
  return ACTOR_LABEL[e.actor] ?? e.actor;
}

/** The part of an event's detail worth showing (reasons), or null for internal notes. */
export function eventDetail(e: BookingEvent): string | null {
  const d = e.detail?.trim();
  if (!d) return null;
  if (['cancelled', 'no_show_reported', 'no_show_disputed', 'payment_deadline'].includes(e.kind)) return d;
  if (e.kind === 'booked' && /payment locked/.test(d)) return 'Moved within 24 hours: payment taken and locked.';
  if (e.kind === 'payment_failed') return d.replace(/_/g, ' ');
  if (e.kind === 'settled') return ({ captured: 'Charged', released: 'Released, nothing charged', refunded: 'Refunded' } as Record<string, string>)[d] ?? null;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Cards and credits

export const BRAND_LABEL: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
};

export function cardLabel(m: Pick<PaymentMethod, 'brand' | 'last4'>): string {
  const brand = BRAND_LABEL[m.brand.toLowerCase()] ?? (m.brand ? m.brand[0].toUpperCase() + m.brand.slice(1) : 'Card');
  return `${brand} ending in ${m.last4}`;
}

/** "Visa •••• 4242", for tight spaces. */
export function cardShort(m: Pick<PaymentMethod, 'brand' | 'last4'>): string {
  return cardLabel(m).replace(' ending in ', ' •••• ');
}

/**
 * Stripe's test payment methods, which the simulated payments provider understands. `tone`
 * says how the outcome reads: it works, the bank refuses, or the bank asks the student to
 * confirm (a lesson within 24 h then shows the test bank's check).
 */
export const TEST_CARDS: ReadonlyArray<{ id: string; label: string; outcome: string; tone: 'ok' | 'refused' | 'check' }> = [
  { id: 'pm_card_visa', label: 'Visa 4242', outcome: 'Payment succeeds', tone: 'ok' },
  { id: 'pm_card_mastercard', label: 'Mastercard 4444', outcome: 'Payment succeeds', tone: 'ok' },
  { id: 'pm_card_chargeDeclined', label: 'Visa 0002', outcome: 'Declined', tone: 'refused' },
  { id: 'pm_card_insufficientFunds', label: 'Visa 9995', outcome: 'Insufficient funds', tone: 'refused' },
  { id: 'pm_card_authenticationRequired', label: 'Visa 3184', outcome: 'Asks for the bank’s check', tone: 'check' },
];

const CREDIT_REASON: Record<string, string> = {
  cancellation: 'Cancelled lesson',
  late_cancellation: 'Cancelled lesson',
  loyalty: 'Loyalty reward',
  referral: 'Referral reward',
  restored: 'Restored',
  admin: 'From InstaInstru support',
  goodwill: 'Goodwill credit',
};

export function creditReason(g: Pick<CreditGrant, 'reason'>): string {
  return CREDIT_REASON[g.reason] ?? g.reason.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

export const CREDIT_STATUS: Record<string, { label: string; tone: Tone }> = {
  active: { label: 'Available', tone: 'success' },
  used: { label: 'Used', tone: 'neutral' },
  expired: { label: 'Expired', tone: 'neutral' },
  revoked: { label: 'Revoked', tone: 'danger' },
};

/** A fresh `Idempotency-Key` for one checkout attempt (a UUID; works outside secure contexts too). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') {
    try {
      return crypto.randomUUID();
    } catch {
      // Not a secure context: fall through.
    }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
