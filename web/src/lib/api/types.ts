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
