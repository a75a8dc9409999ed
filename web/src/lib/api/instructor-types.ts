// Shapes of the catalog, instructor, onboarding and availability endpoints, written by hand
// from shared/API.md ("Catalog and instructors", "Availability") because the server does not
// describe them in openapi.json yet. Once it does, each of these becomes an alias of the
// generated type in types.ts (`export type Area = Schemas['AreaView']`, ...) and this file goes.

export type { Catalog, CatalogCategory, CatalogService, CatalogSubcategory } from './types';

export type AgeGroup = 'toddler' | 'kids' | 'teens' | 'adults';
export type SkillLevel = 'beginner' | 'intermediate' | 'advanced';
/** travel: the instructor goes to the student; studio: the student comes over; online. */
export type LessonFormat = 'travel' | 'studio' | 'online';

// ---------------------------------------------------------------------------------------------
// Areas

export interface Area {
  slug: string;
  name: string;
  kind: 'borough' | 'neighborhood';
  /** The borough's slug for a neighborhood; null for a borough. */
  parent: string | null;
  aliases: string[];
  lat: number;
  lng: number;
}

/** GET /api/v1/areas */
export interface AreaList {
  areas: Area[];
}

// ---------------------------------------------------------------------------------------------
// Services an instructor offers (own list and public profile use the same shape)

export interface Rates {
  travel_cents_per_hour?: number | null;
  studio_cents_per_hour?: number | null;
  online_cents_per_hour?: number | null;
}

export interface InstructorService {
  /** The instructor service's own id (what the slots endpoint takes as `service_id`). */
  id: string;
  /** The catalog service id. */
  service_id: string;
  service_name: string;
  description: string | null;
  durations_min: number[];
  age_groups: AgeGroup[];
  skill_levels: SkillLevel[];
  rates: Rates;
}

/** GET/PUT /api/v1/instructor/services */
export interface InstructorServices {
  services: InstructorService[];
}

/** One item of PUT /api/v1/instructor/services */
export interface InstructorServiceInput {
  service_id: string;
  description?: string;
  durations_min: number[];
  age_groups: AgeGroup[];
  skill_levels?: SkillLevel[];
  rates: Rates;
}

// ---------------------------------------------------------------------------------------------
// Own profile (onboarding)

export type MissingItem = 'photo' | 'bio' | 'services' | 'availability' | 'payouts' | 'background_check' | 'service_area';

export interface BackgroundCheck {
  status: 'none' | 'pending' | 'passed' | 'failed';
  expires_at: string | null;
  note: string | null;
}

export interface TeachingLocation {
  address: string;
  lat: number;
  lng: number;
}

/** GET/PUT /api/v1/instructor/profile */
export interface OwnProfile {
  /** Not in the written contract; used for the public-page link when the server sends it. */
  id?: string;
  bio: string;
  years_experience: number;
  languages: string[];
  timezone: string;
  service_areas: string[];
  meeting_url: string | null;
  teaching_location: TeachingLocation | null;
  photo_url: string | null;
  live: boolean;
  payouts_status: 'none' | 'complete';
  background_check: BackgroundCheck;
  missing: MissingItem[];
}

/** PUT /api/v1/instructor/profile */
export interface OwnProfileInput {
  bio: string;
  years_experience: number;
  languages: string[];
  timezone: string;
  service_areas: string[];
  meeting_url?: string | null;
  teaching_location?: TeachingLocation | null;
}

/** POST /api/v1/instructor/photo */
export interface PhotoUploaded {
  photo_url: string;
}

/** POST /api/v1/instructor/background-check */
export interface BackgroundCheckUploaded {
  background_check: BackgroundCheck;
}

/** POST /api/v1/instructor/payouts/onboarding */
export interface PayoutsOnboarding {
  url: string;
}

/** POST /api/v1/instructor/go-live */
export interface GoLiveResult {
  live: boolean;
}

// ---------------------------------------------------------------------------------------------
// Public instructors

export interface InstructorSummary {
  id: string;
  display_name: string;
  photo_url: string | null;
  bio_excerpt: string;
  years_experience: number;
  services: Array<{ service_id: string; service_name: string; min_rate_cents_per_hour: number }>;
  /** Area names. */
  areas: string[];
  rating: number | null;
  review_count: number;
  is_new: boolean;
}

/** GET /api/v1/instructors/{id} */
export interface PublicInstructor {
  id: string;
  display_name: string;
  bio: string;
  photo_url: string | null;
  photo_thumb_url: string | null;
  years_experience: number;
  languages: string[];
  timezone: string;
  service_areas: Array<{ slug: string; name: string }>;
  teaching_location: { lat: number; lng: number; area_name: string } | null;
  services: InstructorService[];
  rating: number | null;
  review_count: number;
  is_new: boolean;
  live: boolean;
}

export interface Slot {
  /** RFC 3339 UTC. */
  start: string;
  end: string;
}

/** GET /api/v1/instructors/{id}/slots */
export interface SlotList {
  timezone: string;
  slots: Slot[];
}

// ---------------------------------------------------------------------------------------------
// Availability

export type DayKey = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Local times `HH:MM` in the instructor's zone; `end` may be "24:00". */
export interface TimeWindow {
  start: string;
  end: string;
}

export interface DateOverride {
  /** YYYY-MM-DD; no windows = closed that day. */
  date: string;
  windows: TimeWindow[];
}

/** GET/PUT /api/v1/instructor/availability (with ETag / If-Match) */
export interface AvailabilityDoc {
  timezone: string;
  weekly: Record<DayKey, TimeWindow[]>;
  overrides: DateOverride[];
  blackouts: string[];
  buffer_min: number;
  travel_buffer_min: number;
  min_notice_min: number;
  travel_min_notice_min: number;
  horizon_days: number;
}

/** Bookings that no longer fit the new availability; they stand. Shape beyond this is open. */
export interface OrphanedBooking {
  id?: string;
  start?: string;
  [extra: string]: unknown;
}

export interface AvailabilitySaved extends AvailabilityDoc {
  orphaned_bookings?: OrphanedBooking[];
}
