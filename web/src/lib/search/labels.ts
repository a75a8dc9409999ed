// Search words for people: the "what we understood" chips ("Piano", "Age 8", "Under $80/h",
// "Sat, Dec 5", "5 pm – 9 pm") and the bits of a result card ("$70/h online", "1.2 km away",
// "Next: Sat 5 pm" in the student's zone).

import type { LessonFormat } from '../api/instructor-types';
import type { FormatWanted, Parsed, PriceTier, Relaxed } from '../api/search-types';
import { formatDay } from '../dates';
import { AGE_LABEL, isSkillLevel, money, SKILL_LABEL } from '../lessons';
import { areaName, categoryName, serviceGroups, type Names, type Part } from './query';

export interface Chip {
  /** Stable key for lists. */
  key: string;
  part: Part;
  /** Which services or word the chip removes (see `without`). */
  value: string[];
  label: string;
  /** A leftover word we match in profiles, not something we understood. */
  word: boolean;
  /** The server loosened this part to find enough instructors. */
  loosened: boolean;
}

export const FORMAT_WANTED_LABEL: Record<FormatWanted, string> = {
  online: 'Online',
  in_person: 'In person',
  travel: 'At your place',
  studio: 'At their studio',
};

const TIER_LABEL: Record<PriceTier, string> = { budget: 'Budget-friendly', premium: 'Premium' };

/** "17:00" -> "5 pm", "17:30" -> "5:30 pm", "12:00" -> "12 pm". */
export function hourLabel(hhmm: string): string {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}${m ? `:${String(m).padStart(2, '0')}` : ''} ${h < 12 ? 'am' : 'pm'}`;
}

/** "Sat, Dec 5", or "Sat, Dec 5 – Sun, Dec 6". */
export function datesLabel(from: string, to: string): string {
  const day = (d: string) => formatDay(d, { weekday: 'short', month: 'short', day: 'numeric' });
  return from === to ? day(from) : `${day(from)} – ${day(to)}`;
}

/** "5 pm – 9 pm", "After 5 pm", "Before 3 pm". */
export function timesLabel(from: string | null | undefined, to: string | null | undefined): string {
  if (from && to) return `${hourLabel(from)} – ${hourLabel(to)}`;
  if (from) return `After ${hourLabel(from)}`;
  if (to) return `Before ${hourLabel(to)}`;
  return '';
}

export function priceLabel(cents: number): string {
  return `Under ${money(cents)}/h`;
}

/** The understood parts of `parsed` as chips, then the leftover words. */
export function understoodChips(parsed: Parsed, names: Names, relaxed: string[]): Chip[] {
  const loose = new Set(relaxed as Relaxed[]);
  const chips: Chip[] = [];
  const add = (part: Part, label: string, opts: { value?: string[]; loosened?: boolean; word?: boolean } = {}) =>
    chips.push({
      key: `${part}:${(opts.value ?? []).join(',')}`,
      part,
      label,
      value: opts.value ?? [],
      word: opts.word ?? false,
      loosened: opts.loosened ?? false,
    });

  for (const g of serviceGroups(parsed, names)) add('services', g.label, { value: g.slugs });
  if (!parsed.services?.length && parsed.category) add('category', `${categoryName(names, parsed.category)} lessons`);
  if (parsed.skill && isSkillLevel(parsed.skill)) add('skill', SKILL_LABEL[parsed.skill]);
  if (parsed.age != null) add('audience', `Age ${parsed.age}`);
  else if (parsed.age_group) add('audience', `For ${AGE_LABEL[parsed.age_group].toLowerCase()}`);
  if (parsed.format) add('format', FORMAT_WANTED_LABEL[parsed.format]);
  if (parsed.area) add('area', areaName(names, parsed.area), { loosened: loose.has('location') });
  if (parsed.near_me) add('near', 'Near you', { loosened: loose.has('location') });
  const from = parsed.date_from ?? parsed.date_to;
  const to = parsed.date_to ?? parsed.date_from;
  if (from && to) add('dates', datesLabel(from, to), { loosened: loose.has('date') });
  if (parsed.time_from || parsed.time_to) {
    // Loosening the dates drops the whole window, times of day included.
    add('times', timesLabel(parsed.time_from, parsed.time_to), { loosened: loose.has('time') || loose.has('date') });
  }
  if (parsed.max_price_cents != null) add('price', priceLabel(parsed.max_price_cents), { loosened: loose.has('price') });
  if (parsed.price_tier) add('tier', TIER_LABEL[parsed.price_tier]);
  for (const w of parsed.text ?? []) add('words', `“${w}”`, { value: [w], word: true });
  return chips;
}

// ---------------------------------------------------------------------------------------------
// Result cards

const PRICE_FORMAT: Record<LessonFormat, string> = {
  online: 'online',
  studio: 'at their studio',
  travel: 'at your place',
};

/** "$70/h online", "$120/h at their studio". */
export function priceForFormat(cents: number, format: string): string {
  const where = PRICE_FORMAT[format as LessonFormat];
  return where ? `${money(cents)}/h ${where}` : `${money(cents)}/h`;
}

/** "1.2 km away", "300 m away". */
export function distanceLabel(km: number): string {
  if (km < 1) return `${Math.max(100, Math.round((km * 1000) / 100) * 100)} m away`;
  return `${km < 10 ? km.toFixed(1) : Math.round(km)} km away`;
}

/** "Today 5 pm", "Tomorrow 9:30 am", "Sat 5 pm" (this week), "Dec 12, 5 pm" (later), in `tz`. */
export function slotLabel(iso: string, tz: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const day = (d: Date) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(at)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  const time = hourLabel(`${Number(parts.hour ?? 0) % 24}:${parts.minute ?? '00'}`);
  const dayKey = day(at);
  const days = Math.round((Date.parse(dayKey) - Date.parse(day(now))) / 86_400_000);
  if (days <= 0) return `Today ${time}`;
  if (days === 1) return `Tomorrow ${time}`;
  if (days < 7) return `${new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short' }).format(at)} ${time}`;
  return `${new Intl.DateTimeFormat('en-US', { timeZone: tz, month: 'short', day: 'numeric' }).format(at)}, ${time}`;
}
