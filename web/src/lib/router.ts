// A small client-side router on the History API.
//
// - `location` is a store holding the current path, query and hash.
// - `navigate()` pushes (or replaces) a history entry and updates the store.
// - Same-origin <a href> clicks are intercepted, except for paths the server answers itself
//   (API, referral redirects, health checks), links with a target, a download attribute,
//   rel="external", or a modifier key held (so "open in new tab" keeps working).
// - `compile()` / `matchPath()` turn patterns like `/instructors/:id` or `/admin/*` into matchers.

import { tick } from 'svelte';
import { readable, type Readable } from 'svelte/store';

export interface RouteLocation {
  /** Path without query or hash, always starting with `/`. */
  path: string;
  /** Parsed query string (a fresh copy per location; mutate freely). */
  query: URLSearchParams;
  /** The hash including `#`, or ''. */
  hash: string;
  /** path + search + hash, as the address bar shows it after the origin. */
  href: string;
}

export type RouteParams = Record<string, string>;

/** Paths the server owns: a link to them is a full page load, never a client route. */
const SERVER_PREFIXES = ['/api/', '/r/', '/healthz', '/readyz', '/metrics'];

function isServerPath(path: string): boolean {
  return SERVER_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

function readLocation(): RouteLocation {
  const { pathname, search, hash } = window.location;
  return {
    path: pathname || '/',
    query: new URLSearchParams(search),
    hash,
    href: pathname + search + hash,
  };
}

let setLocation: ((loc: RouteLocation) => void) | null = null;

export const location: Readable<RouteLocation> = readable(readLocation(), (set) => {
  setLocation = set;
  const onPop = () => set(readLocation());
  window.addEventListener('popstate', onPop);
  return () => {
    window.removeEventListener('popstate', onPop);
    setLocation = null;
  };
});

export interface NavigateOptions {
  /** Replace the current history entry instead of pushing a new one. */
  replace?: boolean;
  /** Keep the scroll position (e.g. when only the query of a filter changes). */
  keepScroll?: boolean;
}

/** Go to a same-origin URL (`/search?q=piano`). Server paths get a full page load. */
export function navigate(to: string, opts: NavigateOptions = {}): void {
  const url = new URL(to, window.location.href);
  if (url.origin !== window.location.origin || isServerPath(url.pathname)) {
    window.location.assign(url.href);
    return;
  }
  const href = url.pathname + url.search + url.hash;
  const current = window.location.pathname + window.location.search + window.location.hash;
  if (href !== current) {
    if (opts.replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
  }
  setLocation?.(readLocation());
  if (!opts.keepScroll) {
    if (url.hash) {
      // The target is rendered by the new page: wait for the DOM update first.
      const id = decodeURIComponent(url.hash.slice(1));
      void tick().then(() => {
        const el = document.getElementById(id);
        if (el) el.scrollIntoView();
        else window.scrollTo(0, 0);
      });
    } else {
      window.scrollTo(0, 0);
    }
  }
}

/** Build `/path?key=value` with empty values dropped. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && String(v) !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Only local paths are allowed as post-login destinations (no `//evil.example`). */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

// ---------------------------------------------------------------------------------------------
// Pattern matching

export interface CompiledPattern {
  pattern: string;
  regex: RegExp;
  keys: string[];
}

/**
 * `/instructors/:id` -> params `{id}`; a trailing `*` matches the rest as `params['*']`
 * (`/admin/*` matches `/admin` and `/admin/users/3`). Trailing slashes are ignored.
 */
export function compile(pattern: string): CompiledPattern {
  const keys: string[] = [];
  const parts = pattern.split('/').filter(Boolean);
  let source = '';
  for (const part of parts) {
    if (part === '*') {
      keys.push('*');
      source += '(?:/(.*))?';
    } else if (part.startsWith(':')) {
      keys.push(part.slice(1));
      source += '/([^/]+)';
    } else {
      source += '/' + part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return { pattern, keys, regex: new RegExp(`^${source || ''}/?$`, 'i') };
}

export function matchPath(compiled: CompiledPattern, path: string): RouteParams | null {
  const m = compiled.regex.exec(path);
  if (!m) return null;
  const params: RouteParams = {};
  compiled.keys.forEach((key, i) => {
    const raw = m[i + 1] ?? '';
    try {
      params[key] = decodeURIComponent(raw);
    } catch {
      params[key] = raw;
    }
  });
  return params;
}

// ---------------------------------------------------------------------------------------------
// Link interception

function findAnchor(target: EventTarget | null): HTMLAnchorElement | null {
  let el = target as Element | null;
  while (el && el.nodeName !== 'A') el = el.parentElement;
  return el as HTMLAnchorElement | null;
}

function onDocumentClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = findAnchor(event.target);
  if (!a || !a.href) return;
  if (a.target && a.target !== '_self') return;
  if (a.hasAttribute('download')) return;
  if ((a.getAttribute('rel') ?? '').split(/\s+/).includes('external')) return;
  if (a.dataset.native !== undefined) return;
  const url = new URL(a.href, window.location.href);
  if (url.origin !== window.location.origin || isServerPath(url.pathname)) return;
  // A pure in-page anchor on the same path: let the browser scroll.
  if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) {
    return;
  }
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

let started = false;

/** Install the global click handler once (called from main.ts). */
export function startRouter(): void {
  if (started) return;
  started = true;
  document.addEventListener('click', onDocumentClick);
}
