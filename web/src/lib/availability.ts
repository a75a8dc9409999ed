// The weekly availability model used by the editor: each day is a mask of 96 quarter-hours
// (00:00-24:00), windows are runs of set quarters. Painting, the per-day lists and the saved
// document all go through these pure helpers, so adjacent or overlapping windows merge and
// what is saved never overlaps within a day (the server's rule).

import type { AvailabilityDoc, DayKey, TimeWindow } from './api/instructor-types';
import { clockLabel } from './dates';

export const DAYS: readonly DayKey[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const DAY_LABEL: Record<DayKey, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};
export const DAY_SHORT: Record<DayKey, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

export const QUARTERS = 96;

export type DayMask = boolean[];
export type WeekMask = Record<DayKey, DayMask>;

/** "09:15" -> 37; "24:00" -> 96. Unparseable -> -1. */
export function toQuarter(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return -1;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min > 0)) return -1;
  return h * 4 + Math.floor(min / 15);
}

/** 37 -> "09:15"; 96 -> "24:00". */
export function fromQuarter(q: number): string {
  const h = Math.floor(q / 4);
  const m = (q % 4) * 15;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function emptyMask(): DayMask {
  return Array<boolean>(QUARTERS).fill(false);
}

export function windowsToMask(windows: TimeWindow[]): DayMask {
  const mask = emptyMask();
  for (const w of windows) {
    const a = toQuarter(w.start);
    const b = toQuarter(w.end);
    if (a < 0 || b <= a) continue;
    for (let q = a; q < Math.min(b, QUARTERS); q++) mask[q] = true;
  }
  return mask;
}

export function maskToWindows(mask: DayMask): TimeWindow[] {
  const out: TimeWindow[] = [];
  let start = -1;
  for (let q = 0; q <= QUARTERS; q++) {
    const on = q < QUARTERS && mask[q];
    if (on && start < 0) start = q;
    else if (!on && start >= 0) {
      out.push({ start: fromQuarter(start), end: fromQuarter(q) });
      start = -1;
    }
  }
  return out;
}

export function weekToMask(weekly: Partial<Record<DayKey, TimeWindow[]>>): WeekMask {
  const out = {} as WeekMask;
  for (const d of DAYS) out[d] = windowsToMask(weekly[d] ?? []);
  return out;
}

export function maskToWeek(mask: WeekMask): Record<DayKey, TimeWindow[]> {
  const out = {} as Record<DayKey, TimeWindow[]>;
  for (const d of DAYS) out[d] = maskToWindows(mask[d]);
  return out;
}

/** Set quarters [from, to) of a day to `on`; returns a new mask. */
export function paint(mask: DayMask, from: number, to: number, on: boolean): DayMask {
  const next = mask.slice();
  for (let q = Math.max(0, from); q < Math.min(QUARTERS, to); q++) next[q] = on;
  return next;
}

/** Sum of hours in a week mask, for the summary line. */
export function weeklyHours(mask: WeekMask): number {
  let quarters = 0;
  for (const d of DAYS) for (const on of mask[d]) if (on) quarters++;
  return quarters / 4;
}

/** "9 AM – 5 PM". */
export function windowLabel(w: TimeWindow): string {
  return `${clockLabel(w.start)} – ${clockLabel(w.end)}`;
}

/** Options for start/end selects on 15-minute boundaries; `end` lists 00:15-24:00. */
export function timeOptions(kind: 'start' | 'end'): Array<{ value: string; label: string }> {
  const out: Array<{ value: string; label: string }> = [];
  const from = kind === 'start' ? 0 : 1;
  const to = kind === 'start' ? QUARTERS - 1 : QUARTERS;
  for (let q = from; q <= to; q++) {
    const value = fromQuarter(q);
    out.push({ value, label: clockLabel(value) });
  }
  return out;
}

/** A plain copy of the document with windows normalised (sorted, merged) for saving or comparing. */
export function normalise(doc: AvailabilityDoc): AvailabilityDoc {
  return {
    ...doc,
    weekly: maskToWeek(weekToMask(doc.weekly)),
    overrides: [...(doc.overrides ?? [])]
      .map((o) => ({ date: o.date, windows: maskToWindows(windowsToMask(o.windows)) }))
      .sort((a, b) => a.date.localeCompare(b.date)),
    blackouts: [...new Set(doc.blackouts ?? [])].sort(),
  };
}
