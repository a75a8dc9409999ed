// Autocomplete for the search box: which words before the caret to complete, the order of the
// suggestions, and how a picked one replaces the words. The last one to three words are tried
// ("near park sl", "park sl", "sl") so a neighborhood or a two-word service completes as a
// whole; the longest run that has suggestions wins.

import type { Suggestion } from '../api/search-types';

/** A run of words ending at the caret, to send to GET /api/v1/search/suggest. */
export interface Typed {
  start: number;
  end: number;
  text: string;
}

const MAX_WORDS = 3;
export const MIN_CHARS = 2;

/** The runs of 3, 2 and 1 words ending at `caret` (longest first); none after a space. */
export function typedRuns(value: string, caret: number): Typed[] {
  const before = value.slice(0, caret);
  if (!before || /\s$/.test(before)) return [];
  const words = [...before.matchAll(/\S+/g)];
  const runs: Typed[] = [];
  for (let n = Math.min(MAX_WORDS, words.length); n >= 1; n--) {
    const first = words[words.length - n];
    if (!first || first.index === undefined) continue;
    const text = before.slice(first.index);
    if (text.length >= MIN_CHARS) runs.push({ start: first.index, end: caret, text });
  }
  return runs;
}

/** `value` with `run` replaced by `label` and a space after it; the caret goes after the space. */
export function insertSuggestion(value: string, run: Typed, label: string): { value: string; caret: number } {
  const rest = value.slice(run.end);
  const joiner = rest.startsWith(' ') ? '' : ' ';
  const head = value.slice(0, run.start) + label + joiner;
  return { value: head + rest, caret: head.length + (joiner ? 0 : 1) };
}

/** After "in", "near" or "around" a place is the likely next word: areas go first. */
export function placesFirst(items: Suggestion[], before: string): Suggestion[] {
  if (!/(?:^|\s)(?:in|near|around)\s+$/i.test(before)) return items;
  return [...items.filter((s) => s.kind === 'area'), ...items.filter((s) => s.kind !== 'area')];
}
