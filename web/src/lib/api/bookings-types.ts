// Shapes of the booking, payment, credit, earnings and calendar endpoints: aliases of the
// generated types in schema.d.ts (`npm run api:types`), nothing written by hand but small
// UI-side unions the server types as plain strings.

import type { components } from './schema';

type Schemas = components['schemas'];

/** One booking (GET /api/v1/bookings/{id} adds `events`). */
export type Booking = Schemas['Booking'];
export type BookingStatus = Schemas['Status'];
export type PaymentStatus = Schemas['PaymentStatus'];
export type BookingActions = Schemas['Actions'];
export type BookingEvent = Schemas['EventView'];
export type Cancellation = Schemas['CancellationView'];
export type NoShow = Schemas['NoShowView'];
export type Party = Schemas['Party'];

/** GET /api/v1/bookings */
export type BookingPage = Schemas['Paginated_Booking'];

/** POST /api/v1/bookings and /bookings/quote */
export type NewBooking = Schemas['NewBooking'];
export type Quote = Schemas['Quote'];

/** GET /bookings/{id}/cancel-preview, and the money part of a cancellation */
export type Outcome = Schemas['Outcome'];
export type CancelPolicy = Schemas['Policy'];
/** POST /bookings/{id}/cancel */
export type CancelRequest = Schemas['CancelRequest'];
export type Cancelled = Schemas['Cancelled'];
/** POST /bookings/{id}/reschedule */
export type RescheduleRequest = Schemas['RescheduleRequest'];
/** POST /bookings/{id}/no-show and /no-show/dispute */
export type NoShowRequest = Schemas['NoShowRequest'];
export type DisputeRequest = Schemas['DisputeRequest'];

/** GET /api/v1/payments/methods */
export type PaymentMethod = Schemas['MethodView'];
export type PaymentMethods = Schemas['Methods'];

/** GET /api/v1/credits */
export type Credits = Schemas['Credits'];
export type CreditGrant = Schemas['CreditGrant'];
/** UI-only: the server types a grant's status as a plain string. */
export type CreditStatus = 'active' | 'used' | 'expired' | 'revoked';

/** GET /api/v1/instructor/earnings */
export type Earnings = Schemas['Earnings'];
export type EarningsRow = Schemas['EarningsRow'];
export type EarningsTotals = Schemas['EarningsTotals'];
export type EarningsWeek = Schemas['Week'];

/** GET /api/v1/calendar, POST /api/v1/calendar/rotate */
export type FeedUrl = Schemas['FeedUrl'];
