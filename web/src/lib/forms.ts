// Turning an API failure into form feedback: field errors go under their fields, anything
// else becomes an error toast. Pages keep their own `errors` state object.

import { ApiError, type FieldErrors } from './api/client';
import { toast } from './toasts';

export interface FormErrorOptions {
  /** Field names this form shows (errors for other fields are toasted). */
  fields: readonly string[];
  /** Error codes that belong to one field, e.g. `{ 'auth.email_taken': 'email' }`. */
  codeFields?: Record<string, string>;
  /**
   * How to name a field when the server sends a fragment ("is too common"):
   * `{ password: 'This password' }` gives "This password is too common."
   */
  subjects?: Record<string, string>;
}

export function formErrors(err: unknown, opts: FormErrorOptions): FieldErrors {
  if (!(err instanceof ApiError)) {
    console.error(err);
    toast.error('Something went wrong. Please try again.');
    return {};
  }
  const shown: FieldErrors = {};
  const leftover: string[] = [];
  for (const [field, message] of Object.entries(err.fieldErrors)) {
    if (opts.fields.includes(field)) shown[field] = sentence(message, opts.subjects?.[field]);
    else leftover.push(message);
  }
  const codeField = opts.codeFields?.[err.code];
  if (codeField && !shown[codeField]) shown[codeField] = err.detail;
  if (Object.keys(shown).length === 0 || leftover.length > 0) {
    toast.error(leftover.length ? leftover.join(' ') : err.detail);
  }
  return shown;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function looksLikeEmail(value: string): boolean {
  return EMAIL_RE.test(value.trim());
}

/** Minimum password length from SPEC.md §1 (the server has the final word). */
export const MIN_PASSWORD = 10;

/**
 * For forms that show a message above the fields instead of a toast: field errors for the
 * fields the form has, and one sentence for everything else (null when fields cover it).
 */
export function splitErrors(
  err: unknown,
  opts: FormErrorOptions,
): { fields: FieldErrors; message: string | null } {
  if (!(err instanceof ApiError)) {
    console.error(err);
    return { fields: {}, message: 'Something went wrong. Please try again.' };
  }
  const fields: FieldErrors = {};
  const leftover: string[] = [];
  for (const [field, message] of Object.entries(err.fieldErrors)) {
    if (opts.fields.includes(field)) fields[field] = sentence(message, opts.subjects?.[field]);
    else leftover.push(message);
  }
  const codeField = opts.codeFields?.[err.code];
  if (codeField && !fields[codeField]) fields[codeField] = err.detail;
  const message = Object.keys(fields).length === 0 || leftover.length > 0 ? leftover.join(' ') || err.detail : null;
  return { fields, message };
}

/**
 * Server field messages may be fragments ("is too common", "must be at least 10 characters"):
 * give them a subject and a full stop so they read as sentences under the field.
 */
export function sentence(message: string, subject = 'This value'): string {
  let m = message.trim();
  if (!m) return m;
  if (/^(is|are|must|has|have|was|does|do|should|can|cannot|already|looks|needs)\b/.test(m)) m = `${subject} ${m}`;
  else m = m[0].toUpperCase() + m.slice(1);
  return /[.!?]$/.test(m) ? m : `${m}.`;
}
