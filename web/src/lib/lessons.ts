// Words and numbers about lessons shared by onboarding, profiles and browse pages: format,
// age-group and skill-level labels, the price rules from SPEC.md §3 (the server has the final
// word) and money formatting. Money is integer cents everywhere; dollars only in inputs.

import type { AgeGroup, LessonFormat, Rates, SkillLevel } from './api/instructor-types';

export const FORMATS: readonly LessonFormat[] = ['online', 'studio', 'travel'];

export const FORMAT_LABEL: Record<LessonFormat, string> = {
  online: 'Online',
  studio: 'At my studio',
  travel: 'At the student’s place',
};

/** How a student reads the format on a public profile. */
export const FORMAT_PUBLIC_LABEL: Record<LessonFormat, string> = {
  online: 'Online',
  studio: 'At the instructor’s studio',
  travel: 'At your place',
};

export const FORMAT_SHORT: Record<LessonFormat, string> = {
  online: 'Online',
  studio: 'Studio',
  travel: 'Travel',
};

export const RATE_KEY: Record<LessonFormat, keyof Rates> = {
  online: 'online_cents_per_hour',
  studio: 'studio_cents_per_hour',
  travel: 'travel_cents_per_hour',
};

export const AGE_GROUPS: readonly AgeGroup[] = ['toddler', 'kids', 'teens', 'adults'];
export const AGE_LABEL: Record<AgeGroup, string> = {
  toddler: 'Toddlers',
  kids: 'Kids',
  teens: 'Teens',
  adults: 'Adults',
};

export const SKILL_LEVELS: readonly SkillLevel[] = ['beginner', 'intermediate', 'advanced'];
/** The server types skill levels as plain strings; this narrows the ones the UI knows. */
export function isSkillLevel(s: string): s is SkillLevel {
  return (SKILL_LEVELS as readonly string[]).includes(s);
}

export const SKILL_LABEL: Record<SkillLevel, string> = {
  beginner: 'Beginner',
  intermediate: 'Intermediate',
  advanced: 'Advanced',
};

/** Hourly floors and cap (SPEC.md §3): in person $80/h, online $60/h, at most $1,000/h. */
export const FLOOR_CENTS: Record<LessonFormat, number> = { online: 6000, studio: 8000, travel: 8000 };
export const CAP_CENTS = 100_000;

/** Durations offered as checkboxes; the server accepts 30-240 in 15-minute steps. */
export const STANDARD_DURATIONS: readonly number[] = [30, 45, 60, 75, 90, 120];

/** 8000 -> "$80", 8550 -> "$85.50". */
export function money(cents: number): string {
  const dollars = cents / 100;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: Number.isInteger(dollars) ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(dollars);
}

/** The price of one lesson of `minutes` at an hourly rate, in cents (rounded to the cent). */
export function lessonCents(centsPerHour: number, minutes: number): number {
  return Math.round((centsPerHour * minutes) / 60);
}

/** 45 -> "45 min", 60 -> "1 h", 90 -> "1 h 30 min". */
export function durationLabel(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** The formats a service is offered in, in display order. */
export function offeredFormats(rates: Rates): LessonFormat[] {
  return FORMATS.filter((f) => typeof rates[RATE_KEY[f]] === 'number');
}

/** The lowest hourly rate across formats, or null. */
export function minRate(rates: Rates): number | null {
  const values = offeredFormats(rates).map((f) => rates[RATE_KEY[f]] as number);
  return values.length ? Math.min(...values) : null;
}

/** "English, Spanish" with the last joined by "and". */
export function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Initials for an avatar without a photo ("Maria S." -> "MS"). */
export function initialsOf(name: string): string {
  return (
    name
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]?.toUpperCase() ?? '')
      .join('') || '?'
  );
}
