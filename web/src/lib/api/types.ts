// Response shapes the pages use, transcribed from shared/API.md.
// Temporary: once the server serves /api/v1/openapi.json these give way to types generated
// into schema.d.ts (see STYLE.md); keep this file to what pages actually read.

export type Role = 'student' | 'instructor' | 'admin';

export interface User {
  id: string;
  email: string;
  full_name: string;
  role: Role;
  email_verified: boolean;
  two_factor_enabled: boolean;
  /** IANA zone the user's times are shown in, e.g. `America/New_York`. */
  timezone: string;
  /** RFC 3339 UTC. */
  created_at: string;
}

/** POST /auth/login, /auth/login/2fa, /auth/signup and GET /auth/me. */
export interface SessionResponse {
  user: User;
  csrf_token: string;
}

/** POST /auth/login when the account has two-factor sign-in. */
export interface TwoFactorChallenge {
  two_factor_required: true;
  challenge: string;
}

/** A `{user}` body: POST /auth/verify-email, PATCH /account. */
export interface UserResponse {
  user: User;
}

/** POST /auth/2fa/setup */
export interface TwoFactorSetup {
  /** Base32, no padding: for typing into an authenticator app by hand. */
  secret: string;
  otpauth_uri: string;
  qr_png_base64: string;
}

/** POST /auth/2fa/enable and /auth/2fa/backup-codes */
export interface BackupCodes {
  backup_codes: string[];
}

/** GET /auth/sessions */
export interface SessionInfo {
  id: string;
  created_at: string;
  last_seen_at: string;
  user_agent: string;
  current: boolean;
}

/** GET /auth/tokens */
export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** POST /auth/tokens: the secret `token` is only ever returned here. */
export interface NewApiToken {
  id: string;
  name: string;
  token: string;
}

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

export type NotificationCategory = 'account' | 'lesson_updates' | 'messages' | 'reviews' | 'promotions';

export interface AppNotification {
  id: string;
  category: NotificationCategory;
  title: string;
  body: string;
  link?: string | null;
  read: boolean;
  created_at: string;
}

/** GET /notifications */
export interface NotificationPage extends Page<AppNotification> {
  unread_count: number;
}

/** GET /notifications/unread-count */
export interface UnreadCount {
  unread_count: number;
}

/** GET/PUT /notifications/preferences (items) */
export interface NotificationPreference {
  category: NotificationCategory;
  label: string;
  description: string;
  email: boolean;
  in_app: boolean;
  /** Transactional: always sent, the switches are read-only. */
  locked: boolean;
}

/** POST /notifications/unsubscribe */
export interface UnsubscribeResult {
  category: NotificationCategory;
  label: string;
}

/** GET /dev/outbox (items, newest first) */
export interface OutboxMessage {
  to: string;
  subject: string;
  template: string;
  text: string;
  html: string;
  created_at: string;
}

export interface CatalogService {
  id: string;
  slug: string;
  name: string;
  age_groups: string[];
  online_capable: boolean;
}

export interface CatalogSubcategory {
  id: string;
  slug: string;
  name: string;
  services: CatalogService[];
}

export interface CatalogCategory {
  id: string;
  slug: string;
  name: string;
  subcategories: CatalogSubcategory[];
}

/** GET /api/v1/catalog */
export interface Catalog {
  categories: CatalogCategory[];
}
