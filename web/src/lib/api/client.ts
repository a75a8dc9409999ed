// The one fetch wrapper every page uses to talk to the InstaInstru API.
//
// - JSON in and out; cookies travel with `credentials: 'same-origin'`.
// - Unsafe methods carry `X-CSRF-Token` once a token is known (login, signup and
//   GET /api/v1/auth/me return it; see `setCsrfToken`).
// - Any non-2xx answer becomes a thrown `ApiError`. RFC 9457 problem documents
//   (`application/problem+json`: type, title, status, detail, code, errors) are parsed into it;
//   other failures (proxy HTML, network down) still give a usable ApiError.

export type FieldErrors = Record<string, string>;

/** The problem+json body the server sends for every error. Extra members are kept. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldErrors;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer (offline, aborted). */
  readonly status: number;
  /** Stable dotted code from the server (`auth.email_taken`), or a local one (`network`, `http.502`). */
  readonly code: string;
  /** Human sentence suitable to show the user. */
  readonly detail: string;
  /** Per-field validation messages keyed by request field name. */
  readonly fieldErrors: FieldErrors;
  /** The full problem document (extension members such as `missing` or `current_etag`). */
  readonly problem: Problem;
  /** Seconds from the `Retry-After` header (429 `auth.locked`, `rate_limited`), when sent. */
  readonly retryAfter: number | null;

  constructor(status: number, problem: Problem, headers?: Headers) {
    const detail = problem.detail || problem.title || defaultMessage(status);
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code || (status === 0 ? 'network' : `http.${status}`);
    this.detail = detail;
    this.fieldErrors = problem.errors && typeof problem.errors === 'object' ? problem.errors : {};
    this.problem = problem;
    this.retryAfter = parseRetryAfter(headers?.get('retry-after') ?? null);
  }

  get hasFieldErrors(): boolean {
    return Object.keys(this.fieldErrors).length > 0;
  }
}

/** `Retry-After` is either delay-seconds or an HTTP date; both become whole seconds from now. */
function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function defaultMessage(status: number): string {
  if (status === 0) return 'We could not reach InstaInstru. Check your connection and try again.';
  if (status === 401) return 'Please sign in to continue.';
  if (status === 403) return 'You do not have access to this.';
  if (status === 404) return 'We could not find what you were looking for.';
  if (status === 429) return 'Too many attempts. Please wait a moment and try again.';
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  return 'The request could not be completed.';
}

let csrfToken: string | null = null;

/** Remember the CSRF token from login/signup/me; pass null on logout. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

let onUnauthenticated: (() => void) | null = null;

/**
 * Called when any request answers 401 `auth.unauthenticated` (the session ended elsewhere:
 * signed out on another device, password changed, expired). The session store registers itself.
 */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  /** Serialised as JSON unless it is FormData (multipart uploads). */
  body?: unknown;
  /** Extra headers, e.g. `Idempotency-Key` or `If-Match`. */
  headers?: Record<string, string>;
  /** Query parameters appended to the path; empty values are dropped. */
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

const UNSAFE = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

function buildUrl(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  if (!s) return path;
  return path + (path.includes('?') ? '&' : '?') + s;
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204 || res.status === 205) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Full request: returns data plus status and headers (for ETag and friends). */
export async function request<T = unknown>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) {
    body = opts.body;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  Object.assign(headers, opts.headers);

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, {});
  }

  const data = await readBody(res);
  if (!res.ok) {
    const problem: Problem =
      data && typeof data === 'object' && !Array.isArray(data) ? (data as Problem) : {};
    const error = new ApiError(res.status, problem, res.headers);
    if (error.status === 401 && error.code === 'auth.unauthenticated') onUnauthenticated?.();
    throw error;
  }
  return { data: data as T, status: res.status, headers: res.headers };
}

/** Shorthand returning only the body. */
export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  return (await request<T>(path, opts)).data;
}

export const get = <T = unknown>(path: string, opts: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  api<T>(path, { ...opts, method: 'GET' });
export const post = <T = unknown>(path: string, body?: unknown, opts: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  api<T>(path, { ...opts, method: 'POST', body });
export const put = <T = unknown>(path: string, body?: unknown, opts: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  api<T>(path, { ...opts, method: 'PUT', body });
export const patch = <T = unknown>(path: string, body?: unknown, opts: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  api<T>(path, { ...opts, method: 'PATCH', body });
export const del = <T = unknown>(path: string, opts: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  api<T>(path, { ...opts, method: 'DELETE' });
