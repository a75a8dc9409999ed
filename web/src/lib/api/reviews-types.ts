// Shapes of the review and tip endpoints (API.md "Reviews and tips"): aliases of the generated
// types in schema.d.ts (`npm run api:types`), plus small UI-side unions the server types as
// plain strings.

import type { components } from './schema';

type Schemas = components['schemas'];

/** A review as its student, its instructor and admins see it (GET /bookings/{id}/review). */
export type Review = Schemas['ReviewView'];
/** A review in an instructor's public list. */
export type PublicReview = Schemas['PublicReview'];
export type ReviewResponse = Schemas['ResponseView'];

/** POST /api/v1/bookings/{id}/review */
export type NewReview = Schemas['NewReview'];
export type ReviewCreated = Schemas['ReviewCreated'];
/** POST /api/v1/bookings/{id}/tip, POST /api/v1/tips/{id}/confirm */
export type NewTip = Schemas['NewTip'];
export type Tip = Schemas['TipView'];
/** UI-only: the server types a tip's status as a plain string. */
export type TipStatus = 'captured' | 'failed' | 'requires_action' | 'pending';

/** POST /api/v1/reviews/{id}/response */
export type NewResponse = Schemas['NewResponse'];

/** GET /api/v1/instructors/{id}/reviews */
export type PublicReviewPage = Schemas['Paginated_PublicReview'];
/** GET /api/v1/instructor/reviews */
export type ReviewPage = Schemas['Paginated_ReviewView'];

export type ServiceReviewCount = Schemas['ServiceReviewCount'];
