// The header's unread-notifications count: polled every 60 s and on every route change while
// someone is signed in (Layout drives it), and updated locally when notifications are read.

import { writable } from 'svelte/store';
import { get, post } from './api/client';
import type { UnreadCount } from './api/types';

export const POLL_MS = 60_000;

export const unreadCount = writable(0);

let inFlight: Promise<void> | null = null;

/** Ask the server for the unread count; failures keep the last known value. */
export function refreshUnread(): Promise<void> {
  if (inFlight) return inFlight;
  inFlight = get<UnreadCount>('/api/v1/notifications/unread-count')
    .then((res) => unreadCount.set(Math.max(0, res.unread_count ?? 0)))
    .catch(() => undefined)
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

export async function markRead(id: string): Promise<void> {
  await post(`/api/v1/notifications/${encodeURIComponent(id)}/read`);
  unreadCount.update((n) => Math.max(0, n - 1));
}

export async function markAllRead(): Promise<void> {
  await post('/api/v1/notifications/read-all');
  unreadCount.set(0);
}

export function resetUnread(): void {
  unreadCount.set(0);
}
