// Shapes of the search endpoints (API.md "Search"): aliases of the generated types in
// schema.d.ts (`npm run api:types`), plus the UI-side unions the server types as plain strings.

import type { components } from './schema';

type Schemas = components['schemas'];

/** GET /api/v1/search */
export type SearchResponse = Schemas['SearchResponse'];
export type SearchResult = Schemas['SearchResult'];
/** The query as the server understood it. */
export type Parsed = Schemas['Parsed'];
export type FormatWanted = Schemas['FormatWanted'];
export type PriceTier = Schemas['PriceTier'];
export type Skill = Schemas['Skill'];
export type SearchSort = 'recommended' | 'price_asc' | 'price_desc' | 'rating';
/** UI-only: what the server loosened to find enough (`relaxed`). */
export type Relaxed = 'time' | 'date' | 'location' | 'price';

/** GET /api/v1/search/suggest */
export type Suggestions = Schemas['Suggestions'];
export type Suggestion = Schemas['Suggestion'];
/** UI-only: the server types a suggestion's kind as a plain string. */
export type SuggestionKind = 'service' | 'category' | 'area';
