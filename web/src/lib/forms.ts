// Turning an API failure into form feedback: field errors go under their fields, anything
// else becomes an error toast. Pages keep their own `errors` state object.

import { ApiError, type FieldErrors } from './api/client';
import { toast } from './toasts';

export interface FormErrorOptions {
  /** Field names this form shows (errors for other fields are toasted). */
  fields: readonly string[];
  /** Error codes that belong to one field, e.g. `{ 'auth.email_taken': 'email' }`. */
  codeFields?: Record<string, string>;
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
    if (opts.fields.includes(field)) shown[field] = message;
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
