// "Resend the verification email", shared by the header banner, the profile tab and
// /verify-email. Reports the outcome as a toast.

import { ApiError, post } from './api/client';
import { toast } from './toasts';

export async function resendVerification(email: string): Promise<boolean> {
  try {
    await post('/api/v1/auth/verify-email/resend');
    toast.success(`We sent a new verification link to ${email}. It is valid for 24 hours.`);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 429) {
      const wait = err.retryAfter ? ` Try again in ${waitText(err.retryAfter)}.` : ' Please wait a few minutes.';
      toast.error(`We just sent you a link.${wait}`);
    } else if (err instanceof ApiError) {
      toast.error(err.detail);
    } else {
      toast.error('Something went wrong. Please try again.');
    }
    return false;
  }
}

/** 45 -> "45 seconds", 300 -> "5 minutes". */
export function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
