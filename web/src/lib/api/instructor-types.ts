// Shapes of the catalog, instructor, onboarding and availability endpoints. Everything the
// server describes is an alias of the generated type in schema.d.ts (`npm run api:types`);
// only small UI-side unions the server types as plain strings are written by hand here.

import type { components } from './schema';

type Schemas = components['schemas'];

export type { Catalog, CatalogCategory, CatalogService, CatalogSubcategory } from './types';

export type AgeGroup = Schemas['AgeGroup'];
/** UI-only: the server types skill levels as plain strings. */
export type SkillLevel = 'beginner' | 'intermediate' | 'advanced';
/** UI-only (the keys of Rates): travel = the instructor goes to the student; studio = the student comes over; online. */
export type LessonFormat = 'travel' | 'studio' | 'online';

// ---------------------------------------------------------------------------------------------
// Areas

export type Area = Schemas['Area'];

/** GET /api/v1/areas */
export type AreaList = Schemas['AreasResponse'];

// ---------------------------------------------------------------------------------------------
// Services an instructor offers (own list and public profile use the same shape)

export type Rates = Schemas['Rates'];

export type InstructorService = Schemas['OfferingView'];

/** GET/PUT /api/v1/instructor/services */
export type InstructorServices = Schemas['ServicesView'];

/** One item of PUT /api/v1/instructor/services */
export type InstructorServiceInput = Schemas['OfferingInput'];

// ---------------------------------------------------------------------------------------------
// Own profile (onboarding)

/** UI-only: the server types `missing` as plain strings. */
export type MissingItem = 'photo' | 'bio' | 'services' | 'availability' | 'payouts' | 'background_check' | 'service_area';

export type BackgroundCheck = Schemas['BackgroundCheckView'];

export type TeachingLocation = Schemas['TeachingLocation'];

/** GET/PUT /api/v1/instructor/profile */
export type OwnProfile = Schemas['OwnProfile'];

/** PUT /api/v1/instructor/profile */
export type OwnProfileInput = Schemas['ProfileInput'];

/** POST /api/v1/instructor/photo */
export type PhotoUploaded = Schemas['PhotoUploaded'];

/** POST /api/v1/instructor/background-check */
export type BackgroundCheckUploaded = Schemas['BackgroundSubmitted'];

/** POST /api/v1/instructor/payouts/onboarding */
export type PayoutsOnboarding = Schemas['OnboardingLink'];

/** POST /api/v1/instructor/go-live */
export type GoLiveResult = Schemas['Live'];

// ---------------------------------------------------------------------------------------------
// Public instructors

export type InstructorSummary = Schemas['ListedInstructor'];

/** GET /api/v1/instructors/{id} */
export type PublicInstructor = Schemas['PublicProfile'];

export type Slot = Schemas['SlotView'];

/** GET /api/v1/instructors/{id}/slots */
export type SlotList = Schemas['SlotsResponse'];

// ---------------------------------------------------------------------------------------------
// Availability

/** UI-only: the server types the `weekly` keys as plain strings. */
export type DayKey = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Local times `HH:MM` in the instructor's zone; `end` may be "24:00". */
export type TimeWindow = Schemas['Window'];

export type DateOverride = Schemas['Override'];

/** GET/PUT /api/v1/instructor/availability (with ETag / If-Match) */
export type AvailabilityDoc = Schemas['Document'];

/** Booking ids that no longer fit the new availability (they stand). */
export type OrphanedBooking = Schemas['Saved']['orphaned_bookings'][number];

export type AvailabilitySaved = Schemas['Saved'];
