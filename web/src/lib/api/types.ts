// The types pages use. Everything the server describes comes from schema.d.ts, which
// `npm run api:types` generates from openapi.json (the server's /api/v1/openapi.json, kept
// current by a Rust test); only shapes the server does not serve yet are written by hand.

import type { components } from './schema';

type Schemas = components['schemas'];

export type User = Schemas['UserView'];
export type Role = User['role'];
export type SessionResponse = Schemas['SessionResponse'];
export type TwoFactorChallenge = Schemas['TwoFactorRequired'];
export type UserResponse = Schemas['UserResponse'];
export type TwoFactorSetup = Schemas['TwoFactorSetup'];
export type BackupCodes = Schemas['BackupCodes'];
export type SessionInfo = Schemas['SessionView'];
export type ApiToken = Schemas['TokenView'];
export type NewApiToken = Schemas['NewToken'];
export type AppNotification = Schemas['InboxItem'];
export type NotificationCategory = AppNotification['category'];
export type NotificationPage = Schemas['InboxPage'];
export type UnreadCount = Schemas['UnreadCount'];
export type NotificationPreference = Schemas['PreferenceView'];
export type UnsubscribeResult = Schemas['Unsubscribed'];
export type OutboxMessage = Schemas['OutboxItem'];

/** `{items}` wrapper for the unpaginated lists (sessions, tokens, preferences, outbox). */
export interface ItemList<T> {
  items: T[];
}

/** The standard paginated list. */
export interface Page<T> {
  items: T[];
  page: number;
  per_page: number;
  total: number;
}

/** GET /api/v1/catalog */
export type Catalog = Schemas['CatalogResponse'];
export type CatalogCategory = Schemas['CategoryView'];
export type CatalogSubcategory = Schemas['SubcategoryView'];
export type CatalogService = Schemas['ServiceView'];
