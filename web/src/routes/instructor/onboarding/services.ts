// The services step's editable model: one draft per offered service, with prices as the
// dollar text the instructor types. Converts to and from the API shapes and validates with the
// rules from SPEC.md §3 (floors, cap, 30-240 min durations); the server re-checks everything.

import type { AgeGroup, InstructorService, InstructorServiceInput, LessonFormat, Rates, SkillLevel } from '../../../lib/api/instructor-types';
import type { ServiceEntry } from '../../../lib/catalog';
import { AGE_GROUPS, CAP_CENTS, FLOOR_CENTS, FORMATS, RATE_KEY, STANDARD_DURATIONS, isSkillLevel, money } from '../../../lib/lessons';

export type DraftField = 'description' | 'durations' | 'ages' | 'skills' | 'formats' | LessonFormat;

export interface Draft {
  service_id: string;
  name: string;
  where: string;
  online_capable: boolean;
  allowed_ages: AgeGroup[];
  description: string;
  durations: number[];
  ages: AgeGroup[];
  skills: SkillLevel[];
  offer: Record<LessonFormat, boolean>;
  price: Record<LessonFormat, string>;
  /** Fields the instructor has edited (live validation starts there). */
  touched: DraftField[];
  /** Messages from the last save, keyed by field; cleared as the field is edited. */
  server: Partial<Record<DraftField, string>>;
}

function dollars(cents: number | null | undefined): string {
  if (typeof cents !== 'number') return '';
  return cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2);
}

function rateOf(rates: Rates, f: LessonFormat): number | null | undefined {
  return rates[RATE_KEY[f]];
}

/** A draft for a newly picked catalog service, with sensible defaults. */
export function newDraft(e: ServiceEntry): Draft {
  const allowed = (e.service.age_groups?.length ? e.service.age_groups : [...AGE_GROUPS]) as AgeGroup[];
  return {
    service_id: e.service.id,
    name: e.service.name,
    where: `${e.category.name} › ${e.subcategory.name}`,
    online_capable: e.service.online_capable,
    allowed_ages: allowed,
    description: '',
    durations: [60],
    ages: [...allowed],
    skills: ['beginner', 'intermediate'],
    offer: { online: e.service.online_capable, studio: false, travel: false },
    price: { online: '', studio: '', travel: '' },
    touched: [],
    server: {},
  };
}

/** A draft from a saved service; `entry` is its catalog entry when the catalog knows it. */
export function draftFrom(s: InstructorService, entry: ServiceEntry | undefined): Draft {
  const allowed = (entry?.service.age_groups?.length ? entry.service.age_groups : [...AGE_GROUPS]) as AgeGroup[];
  const offer = {} as Record<LessonFormat, boolean>;
  const price = {} as Record<LessonFormat, string>;
  for (const f of FORMATS) {
    const r = rateOf(s.rates ?? {}, f);
    offer[f] = typeof r === 'number';
    price[f] = dollars(r);
  }
  return {
    service_id: s.service_id,
    name: entry?.service.name ?? s.service_name,
    where: entry ? `${entry.category.name} › ${entry.subcategory.name}` : '',
    online_capable: entry ? entry.service.online_capable : offer.online,
    allowed_ages: allowed,
    description: s.description ?? '',
    durations: [...(s.durations_min ?? [])].sort((a, b) => a - b),
    ages: [...(s.age_groups ?? [])],
    skills: (s.skill_levels ?? []).filter(isSkillLevel),
    offer,
    price,
    touched: [],
    server: {},
  };
}

/** Dollar text -> cents, or null when it is not a price. */
export function parseDollars(text: string): number | null {
  const t = text.trim().replace(/^\$/, '').replace(/,/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}

export function priceError(f: LessonFormat, text: string): string | null {
  if (!text.trim()) return 'Enter your hourly price.';
  const cents = parseDollars(text);
  if (cents === null) return 'Enter a price in dollars, like 85 or 85.50.';
  if (cents < FLOOR_CENTS[f]) return `At least ${money(FLOOR_CENTS[f])}/h for ${f === 'online' ? 'online' : 'in-person'} lessons.`;
  if (cents > CAP_CENTS) return `At most ${money(CAP_CENTS)}/h.`;
  return null;
}

/** Every problem in a draft, keyed by field. */
export function validateDraft(d: Draft): Partial<Record<DraftField, string>> {
  const e: Partial<Record<DraftField, string>> = {};
  if ([...d.description].length > 500) e.description = 'Keep the description to 500 characters.';
  if (!d.durations.length) e.durations = 'Choose at least one lesson length.';
  else if (d.durations.some((m) => m < 30 || m > 240 || m % 15 !== 0)) e.durations = 'Lessons are 30 minutes to 4 hours, in 15-minute steps.';
  if (!d.ages.length) e.ages = 'Choose at least one age group.';
  const formats = FORMATS.filter((f) => d.offer[f] && (f !== 'online' || d.online_capable));
  if (!formats.length) e.formats = 'Offer this lesson in at least one way.';
  for (const f of formats) {
    const p = priceError(f, d.price[f]);
    if (p) e[f] = p;
  }
  return e;
}

export function toInput(d: Draft): InstructorServiceInput {
  const rates: Rates = {};
  for (const f of FORMATS) {
    if (d.offer[f] && (f !== 'online' || d.online_capable)) {
      const cents = parseDollars(d.price[f]);
      if (cents !== null) rates[RATE_KEY[f]] = cents;
    }
  }
  const description = d.description.trim();
  return {
    service_id: d.service_id,
    ...(description ? { description } : {}),
    durations_min: [...d.durations].sort((a, b) => a - b),
    age_groups: d.ages,
    skill_levels: d.skills,
    rates,
  };
}

/** The duration checkboxes: the standard ones plus any other saved length. */
export function durationChoices(d: Draft): number[] {
  return [...new Set([...STANDARD_DURATIONS, ...d.durations])].sort((a, b) => a - b);
}

/**
 * Server field keys (`services[0].rates.online_cents_per_hour`, `services[1].durations_min[2]`)
 * -> draft index and field. Keys that name no field land on `formats` (the card's general slot).
 */
export function serverField(key: string): { index: number; field: DraftField } | null {
  const m = /^services\[(\d+)\]\.?(.*)$/.exec(key);
  if (!m) return null;
  const index = Number(m[1]);
  const rest = m[2];
  let field: DraftField = 'formats';
  if (rest.startsWith('rates.')) {
    const f = FORMATS.find((x) => rest === `rates.${RATE_KEY[x]}`);
    field = f ?? 'formats';
  } else if (rest.startsWith('durations_min')) field = 'durations';
  else if (rest.startsWith('age_groups')) field = 'ages';
  else if (rest.startsWith('skill_levels')) field = 'skills';
  else if (rest.startsWith('description')) field = 'description';
  return { index, field };
}
