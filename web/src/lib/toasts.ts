// Transient notifications. `toast.success(...)` / `toast.error(...)` from anywhere;
// <Toasts /> in the layout renders them in a live region.

import { writable } from 'svelte/store';

export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

const DEFAULT_MS: Record<ToastKind, number> = { success: 4000, info: 5000, error: 7000 };

let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const toasts = writable<Toast[]>([]);

export function dismissToast(id: number): void {
  const t = timers.get(id);
  if (t) clearTimeout(t);
  timers.delete(id);
  toasts.update((all) => all.filter((x) => x.id !== id));
}

export function showToast(kind: ToastKind, message: string, timeoutMs = DEFAULT_MS[kind]): number {
  const id = nextId++;
  // Keep at most four on screen; the oldest goes first.
  toasts.update((all) => [...all.slice(-3), { id, kind, message }]);
  if (timeoutMs > 0) timers.set(id, setTimeout(() => dismissToast(id), timeoutMs));
  return id;
}

export const toast = {
  success: (message: string, timeoutMs?: number) => showToast('success', message, timeoutMs),
  error: (message: string, timeoutMs?: number) => showToast('error', message, timeoutMs),
  info: (message: string, timeoutMs?: number) => showToast('info', message, timeoutMs),
};
