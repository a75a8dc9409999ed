// What the search understood, turned back into words: `queryFrom(parsed, catalog, areas)` writes
// a query the server's parser reads as the same `parsed` (services, category, price, audience,
// skill, format, place, dates, times, then the leftover words). Removing a chip or changing a
// filter edits `parsed` and searches again with the new words, so the URL stays
// `/search?q=...` and can be shared.
//
// Pure and without runtime imports (types only): the browser tests load this file on its own
// and check that every phrase round-trips through the real parser.

import type { Area, Catalog } from '../api/instructor-types';
import type { FormatWanted, Parsed, PriceTier, Skill } from '../api/search-types';

/** The parts of a query a chip or a filter stands for. */
export type Part =
  | 'services'
  | 'category'
  | 'skill'
  | 'audience'
  | 'format'
  | 'area'
  | 'near'
  | 'dates'
  | 'times'
  | 'price'
  | 'tier'
  | 'words';

/** Slug -> name look-ups, and the subcategories that collapse into one chip ("Math"). */
export interface Names {
  service: Map<string, string>;
  category: Map<string, string>;
  area: Map<string, string>;
  /** Subcategories with at least two services: naming all of them is naming the subcategory. */
  groups: Array<{ name: string; slugs: string[] }>;
}

export function namesOf(catalog: Catalog | null | undefined, areas: Area[] | null | undefined): Names {
  const names: Names = { service: new Map(), category: new Map(), area: new Map(), groups: [] };
  for (const category of catalog?.categories ?? []) {
    names.category.set(category.slug, category.name);
    for (const sub of category.subcategories ?? []) {
      for (const s of sub.services ?? []) names.service.set(s.slug, s.name);
      if ((sub.services ?? []).length >= 2) names.groups.push({ name: sub.name, slugs: sub.services.map((s) => s.slug) });
    }
  }
  for (const a of areas ?? []) names.area.set(a.slug, a.name);
  return names;
}

/** "hip-hop" -> "Hip hop": the parser also knows slugs, so this is a safe fallback. */
function unslug(slug: string): string {
  const words = slug.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const serviceName = (names: Names, slug: string) => names.service.get(slug) ?? unslug(slug);
export const categoryName = (names: Names, slug: string) => names.category.get(slug) ?? unslug(slug);
export const areaName = (names: Names, slug: string) => names.area.get(slug) ?? unslug(slug);

/** One chip's worth of services: a whole subcategory ("Math") or a single service ("Piano"). */
export interface ServiceGroup {
  label: string;
  slugs: string[];
}

/** The parsed services in the order mentioned, whole subcategories collapsed into their name. */
export function serviceGroups(parsed: Parsed, names: Names): ServiceGroup[] {
  const asked = parsed.services ?? [];
  const wanted = new Set(asked);
  const used = new Set<string>();
  const out: Array<ServiceGroup & { at: number }> = [];
  for (const g of names.groups) {
    if (g.slugs.every((s) => wanted.has(s)) && !g.slugs.some((s) => used.has(s))) {
      g.slugs.forEach((s) => used.add(s));
      out.push({ label: g.name, slugs: g.slugs, at: Math.min(...g.slugs.map((s) => asked.indexOf(s))) });
    }
  }
  asked.forEach((slug, at) => {
    if (!used.has(slug)) out.push({ label: serviceName(names, slug), slugs: [slug], at });
  });
  return out.sort((a, b) => a.at - b.at).map(({ label, slugs }) => ({ label, slugs }));
}

const SKILL_WORD: Record<Skill, string> = { beginner: 'beginner', intermediate: 'intermediate', advanced: 'advanced' };
const GROUP_WORD = { toddler: 'toddlers', kids: 'kids', teens: 'teens', adults: 'adults' } as const;
const FORMAT_WORDS: Record<FormatWanted, string> = {
  online: 'online',
  in_person: 'in person',
  travel: 'at home',
  studio: 'at the studio',
};
const TIER_WORD: Record<PriceTier, string> = { budget: 'budget', premium: 'premium' };

/** The parts of the day the parser knows, with the same hours (SPEC 11). */
export const DAY_PARTS = [
  { word: 'morning', from: '06:00', to: '12:00' },
  { word: 'afternoon', from: '12:00', to: '17:00' },
  { word: 'evening', from: '17:00', to: '21:00' },
] as const;

/** "17:30" -> "5:30pm", "12:00" -> "12pm", "00:00" -> "12am": how the parser reads a clock. */
function clockWord(hhmm: string): string {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}${m ? `:${String(m).padStart(2, '0')}` : ''}${h < 12 ? 'am' : 'pm'}`;
}

/** "2026-12-05" -> "Dec 5": the parser reads it as the next such day, today included. */
function dateWord(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)),
  );
}

/** "under $80", "under $49.99". */
function priceWords(cents: number): string {
  return `under $${cents % 100 === 0 ? cents / 100 : (cents / 100).toFixed(2)}`;
}

function datesWords(from: string | null | undefined, to: string | null | undefined): string {
  const a = from ?? to;
  const b = to ?? from;
  if (!a || !b) return '';
  return a === b ? dateWord(a) : `${dateWord(a)} or ${dateWord(b)}`;
}

function timesWords(from: string | null | undefined, to: string | null | undefined): string {
  if (from && to) {
    const part = DAY_PARTS.find((p) => p.from === from && p.to === to);
    return part ? part.word : `from ${clockWord(from)} to ${clockWord(to)}`;
  }
  if (from) return `after ${clockWord(from)}`;
  if (to) return `before ${clockWord(to)}`;
  return '';
}

/** Each part of `parsed` in words ('' when absent), in the order `queryFrom` writes them. */
function phrases(parsed: Parsed, names: Names): Record<Part, string> {
  const groups = serviceGroups(parsed, names);
  return {
    skill: parsed.skill ? SKILL_WORD[parsed.skill] : '',
    services: groups.map((g) => g.label).join(' or '),
    category: !groups.length && parsed.category ? `${categoryName(names, parsed.category)} lessons` : '',
    audience: parsed.age != null ? `age ${parsed.age}` : parsed.age_group ? `for ${GROUP_WORD[parsed.age_group]}` : '',
    format: parsed.format ? FORMAT_WORDS[parsed.format] : '',
    area: parsed.area ? `in ${areaName(names, parsed.area)}` : '',
    near: parsed.near_me ? 'near me' : '',
    dates: datesWords(parsed.date_from, parsed.date_to),
    times: timesWords(parsed.time_from, parsed.time_to),
    price: parsed.max_price_cents != null ? priceWords(parsed.max_price_cents) : '',
    tier: parsed.price_tier ? TIER_WORD[parsed.price_tier] : '',
    words: (parsed.text ?? []).join(' '),
  };
}

const ORDER: Part[] = ['skill', 'services', 'category', 'audience', 'format', 'area', 'near', 'dates', 'times', 'price', 'tier', 'words'];

/**
 * The query text for `parsed`. `instead` swaps a part's words for others the parser knows
 * ("this weekend" for the dates, which only the server can place in the student's week).
 */
export function queryFrom(
  parsed: Parsed,
  catalog: Catalog | null | undefined,
  areas: Area[] | null | undefined,
  instead: Partial<Record<Part, string>> = {},
): string {
  const words = phrases(parsed, namesOf(catalog, areas));
  return ORDER.map((part) => (part in instead ? instead[part] : words[part]))
    .filter(Boolean)
    .join(' ');
}

/** `parsed` without one part; `value` narrows 'services' (slugs) and 'words' (one word). */
export function without(parsed: Parsed, part: Part, value: string[] = []): Parsed {
  const next: Parsed = { ...parsed, services: [...(parsed.services ?? [])], text: [...(parsed.text ?? [])] };
  switch (part) {
    case 'services':
      next.services = value.length ? next.services.filter((s) => !value.includes(s)) : [];
      break;
    case 'category':
      next.category = null;
      break;
    case 'skill':
      next.skill = null;
      break;
    case 'audience':
      next.age = null;
      next.age_group = null;
      break;
    case 'format':
      next.format = null;
      break;
    case 'area':
      next.area = null;
      break;
    case 'near':
      next.near_me = false;
      break;
    case 'dates':
      next.date_from = null;
      next.date_to = null;
      break;
    case 'times':
      next.time_from = null;
      next.time_to = null;
      break;
    case 'price':
      next.max_price_cents = null;
      break;
    case 'tier':
      next.price_tier = null;
      break;
    case 'words':
      next.text = value.length ? next.text.filter((w) => !value.includes(w)) : [];
      break;
  }
  return next;
}
