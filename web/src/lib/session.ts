// Who is signed in. Loaded once from GET /api/v1/auth/me at start-up; login and signup
// call `signedIn()`, logout calls `signOut()`. Keeps the CSRF token in the API client in step.

import { writable } from 'svelte/store';
import { ApiError, get, post, setCsrfToken } from './api/client';
import type { Role, SessionResponse, User } from './api/types';

export type Session =
  | { status: 'loading'; user: null }
  | { status: 'anonymous'; user: null }
  | { status: 'signed_in'; user: User };

export const session = writable<Session>({ status: 'loading', user: null });

export async function loadSession(): Promise<void> {
  try {
    const me = await get<SessionResponse>('/api/v1/auth/me');
    signedIn(me);
  } catch (err) {
    // 401 (not signed in) and 404 (endpoint not there yet) both mean "anonymous".
    if (!(err instanceof ApiError)) console.warn('auth/me failed', err);
    setCsrfToken(null);
    session.set({ status: 'anonymous', user: null });
  }
}

export function signedIn(res: SessionResponse): void {
  setCsrfToken(res.csrf_token);
  session.set({ status: 'signed_in', user: res.user });
}

export async function signOut(): Promise<void> {
  try {
    await post('/api/v1/auth/logout');
  } finally {
    setCsrfToken(null);
    session.set({ status: 'anonymous', user: null });
  }
}

/** Where a user lands after signing in when no `next` was asked for. */
export function homeFor(_role: Role): string {
  // Dashboards (/student, /instructor, /admin) are not built yet; the home page is the hub.
  return '/';
}
