// Who is signed in. Loaded once from GET /api/v1/auth/me at start-up; login and signup
// call `signedIn()`, logout calls `signOut()`. Keeps the CSRF token in the API client in step.
// Any request that answers 401 `auth.unauthenticated` (signed out elsewhere, expired) ends the
// local session too, so pages that need a user can send the person to sign in.

import { get as readStore, writable } from 'svelte/store';
import { ApiError, get, post, setCsrfToken, setUnauthenticatedHandler } from './api/client';
import type { Role, SessionResponse, User } from './api/types';

export type Session =
  | { status: 'loading'; user: null }
  | { status: 'anonymous'; user: null }
  | { status: 'signed_in'; user: User };

export const session = writable<Session>({ status: 'loading', user: null });

setUnauthenticatedHandler(() => {
  if (readStore(session).status === 'signed_in') endSession();
});

export async function loadSession(): Promise<void> {
  try {
    const me = await get<SessionResponse>('/api/v1/auth/me');
    signedIn(me);
  } catch (err) {
    // 401 (not signed in) and 404 (endpoint not there yet) both mean "anonymous".
    if (!(err instanceof ApiError)) console.warn('auth/me failed', err);
    endSession();
  }
}

export function signedIn(res: SessionResponse): void {
  setCsrfToken(res.csrf_token);
  session.set({ status: 'signed_in', user: res.user });
}

/** Replace the signed-in user (after verify-email, a profile edit, turning on 2FA). */
export function updateUser(user: User): void {
  session.update((s) => (s.status === 'signed_in' && s.user.id === user.id ? { status: 'signed_in', user } : s));
}

/** Change a few fields of the signed-in user locally. */
export function patchUser(fields: Partial<User>): void {
  session.update((s) => (s.status === 'signed_in' ? { status: 'signed_in', user: { ...s.user, ...fields } } : s));
}

/** Forget the session locally (the server already ended it: deactivate, delete, logout-all). */
export function endSession(): void {
  setCsrfToken(null);
  session.set({ status: 'anonymous', user: null });
}

export async function signOut(): Promise<void> {
  try {
    await post('/api/v1/auth/logout');
  } catch (err) {
    // Already signed out on the server (expired, signed out elsewhere): nothing left to do.
    if (!(err instanceof ApiError && err.status === 401)) throw err;
  } finally {
    endSession();
  }
}

/** Sign out every session of this account, this one included. */
export async function signOutEverywhere(): Promise<void> {
  await post('/api/v1/auth/logout-all');
  endSession();
}

/** Where a user lands after signing in when no `next` was asked for. */
export function homeFor(role: Role): string {
  // Instructors start in the setup wizard (once live, its last step links to the schedule and
  // the header has Schedule); students land on the search page, "My lessons" one click away.
  return role === 'instructor' ? '/instructor/onboarding' : '/';
}
