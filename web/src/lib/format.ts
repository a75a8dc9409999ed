// Showing RFC 3339 UTC instants in the user's own time zone (user.timezone, else the browser's).
// `$zone` is the zone to use right now; the helpers take it explicitly so they stay pure.

import { derived } from 'svelte/store';
import { session } from './session';

/** The browser's IANA zone, e.g. `Europe/Berlin` (UTC when the browser will not say). */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** True when `Intl` knows the zone (the server has the final word). */
export function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone times are shown in: the signed-in user's, else the browser's. */
export const zone = derived(session, (s) =>
  s.status === 'signed_in' && s.user.timezone && isKnownZone(s.user.timezone) ? s.user.timezone : browserZone(),
);

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Calendar day of `d` in `tz` as YYYY-MM-DD (to compare "today" / "yesterday"). */
function dayKey(d: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

function timeOf(d: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', minute: '2-digit' }).format(d);
}

/**
 * "Today at 3:04 PM", "Yesterday at 9:15 AM", "Mon, Nov 24 at 3:04 PM", or with the year when
 * it is not this year ("Mar 3, 2024 at 8:00 AM").
 */
export function formatWhen(iso: string | null | undefined, tz: string, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return '—';
  const key = dayKey(d, tz);
  if (key === dayKey(now, tz)) return `Today at ${timeOf(d, tz)}`;
  if (key === dayKey(new Date(now.getTime() - 86_400_000), tz)) return `Yesterday at ${timeOf(d, tz)}`;
  const sameYear = key.slice(0, 4) === dayKey(now, tz).slice(0, 4);
  const date = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    ...(sameYear ? { weekday: 'short' } : {}),
    month: 'short',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(d);
  return `${date} at ${timeOf(d, tz)}`;
}

/** "November 24, 2025". */
export function formatDate(iso: string | null | undefined, tz: string): string {
  const d = parse(iso);
  if (!d) return '—';
  return new Intl.DateTimeFormat('en-US', { timeZone: tz, month: 'long', day: 'numeric', year: 'numeric' }).format(d);
}

/** Full, unambiguous form for tooltips: "Mon, Nov 24, 2025, 3:04 PM EST". */
export function formatFull(iso: string | null | undefined, tz: string): string {
  const d = parse(iso);
  if (!d) return '';
  return new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(d);
}

/** "just now", "5 min ago", "3 h ago", then falls back to `formatWhen`. */
export function formatAgo(iso: string | null | undefined, tz: string, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return '—';
  const seconds = Math.round((now.getTime() - d.getTime()) / 1000);
  if (seconds < 0) return formatWhen(iso, tz, now);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 6 * 3600) return `${Math.floor(seconds / 3600)} h ago`;
  return formatWhen(iso, tz, now);
}

function zonePart(tz: string, style: 'shortOffset' | 'longGeneric', at: Date): string {
  try {
    return (
      new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value ?? ''
    );
  } catch {
    return '';
  }
}

/** "America/New_York" -> "Eastern Time – New York (GMT-5)", for zone pickers. */
export function zoneLabel(tz: string, at: Date = new Date()): string {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 'Coordinated Universal Time (UTC)';
  const city = (tz.split('/').slice(-1)[0] ?? tz).replace(/_/g, ' ');
  const offset = zonePart(tz, 'shortOffset', at);
  const generic = zonePart(tz, 'longGeneric', at);
  // Some zones have no name of their own and come back as "GMT+03:00": the city says more.
  const name = generic && !/^GMT|^UTC/.test(generic) ? `${generic} – ${city}` : city;
  return offset ? `${name} (${offset})` : name;
}
