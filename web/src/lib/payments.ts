// Payments in the browser: which provider the server uses (simulated test cards offline, or
// Stripe), Stripe.js loaded on demand from js.stripe.com (never bundled: PCI scope and the CSP
// both want Stripe's own script), and the bank's check (3-D Secure / SCA) a payment may need.
//
// Only the few Stripe.js calls the app uses are typed here, by hand: there is no @stripe package.

import { mount, unmount } from 'svelte';
import { get } from './api/client';
import BankCheckDialog from './components/BankCheckDialog.svelte';

export type PaymentsProvider = 'simulated' | 'stripe';

export interface PaymentsConfig {
  provider: PaymentsProvider;
  publishable_key: string | null;
}

let configPromise: Promise<PaymentsConfig> | null = null;

/** GET /api/v1/payments/config, asked once per page load (a failure is retried next time). */
export function getPaymentsConfig(): Promise<PaymentsConfig> {
  if (!configPromise) {
    configPromise = get<{ provider: string; publishable_key?: string | null }>('/api/v1/payments/config').then(
      (c) => ({ provider: c.provider === 'stripe' ? 'stripe' : 'simulated', publishable_key: c.publishable_key ?? null }),
      (err: unknown) => {
        configPromise = null;
        throw err;
      },
    );
  }
  return configPromise;
}

// ---------------------------------------------------------------------------------------------
// Stripe.js, the parts we call

export interface StripeError {
  type: string;
  code?: string;
  decline_code?: string;
  message?: string;
}

export interface StripeAppearance {
  theme?: 'stripe' | 'night' | 'flat';
  variables?: Record<string, string>;
}

export interface StripePaymentElement {
  mount(target: HTMLElement | string): void;
  destroy(): void;
  on(event: 'ready', handler: () => void): StripePaymentElement;
  on(event: 'loaderror', handler: (event: { error: StripeError }) => void): StripePaymentElement;
  on(event: 'change', handler: (event: { complete: boolean; empty: boolean }) => void): StripePaymentElement;
}

export interface StripeElements {
  create(type: 'payment', options?: { layout?: 'tabs' | 'accordion' }): StripePaymentElement;
}

export interface StripeSetupIntent {
  id: string;
  status: string;
  payment_method: string | { id: string } | null;
}

export interface StripePaymentIntent {
  id: string;
  status: string;
}

export interface Stripe {
  elements(options: { clientSecret: string; appearance?: StripeAppearance }): StripeElements;
  confirmSetup(options: {
    elements: StripeElements;
    redirect: 'if_required';
    confirmParams?: { return_url?: string };
  }): Promise<{ setupIntent?: StripeSetupIntent; error?: StripeError }>;
  handleNextAction(options: { clientSecret: string }): Promise<{ paymentIntent?: StripePaymentIntent; error?: StripeError }>;
}

declare global {
  interface Window {
    Stripe?: (publishableKey: string) => Stripe;
  }
}

const STRIPE_JS = 'https://js.stripe.com/v3';
let scriptPromise: Promise<void> | null = null;
const instances = new Map<string, Stripe>();

/** Add Stripe's script once; a failed load is forgotten so the next call tries again. */
function loadScript(): Promise<void> {
  if (window.Stripe) return Promise.resolve();
  if (!scriptPromise) {
    scriptPromise = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = STRIPE_JS;
      script.async = true;
      script.onload = () => (window.Stripe ? resolve() : reject(new Error('Stripe.js loaded without window.Stripe')));
      script.onerror = () => {
        script.remove();
        reject(new Error('Stripe.js could not be loaded'));
      };
      document.head.appendChild(script);
    }).catch((err: unknown) => {
      scriptPromise = null;
      throw err;
    });
  }
  return scriptPromise;
}

/** Stripe.js for `publishableKey` (one instance per key). */
export async function loadStripe(publishableKey: string): Promise<Stripe> {
  const known = instances.get(publishableKey);
  if (known) return known;
  await loadScript();
  if (!window.Stripe) throw new Error('Stripe.js is not available');
  const stripe = window.Stripe(publishableKey);
  instances.set(publishableKey, stripe);
  return stripe;
}

/** The Payment Element dressed in the app's palette (read from the CSS custom properties). */
export function stripeAppearance(): StripeAppearance {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    theme: 'stripe',
    variables: {
      colorPrimary: v('--c-primary', '#3b35a8'),
      colorText: v('--c-text', '#2c2e43'),
      colorDanger: v('--c-danger', '#b42318'),
      colorBackground: v('--c-surface', '#ffffff'),
      fontFamily: v('--font-sans', 'system-ui, sans-serif'),
      borderRadius: v('--radius-md', '10px'),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The bank's check

export interface BankCheckDetails {
  /** What is being paid, shown by the simulated bank ("$62.70"). */
  amount_cents?: number;
}

/**
 * Let the customer answer their bank's check for the payment behind `clientSecret`: resolves
 * true when they passed it, false when they failed or closed it. The server has the last word:
 * callers confirm with it afterwards either way (a closed check may still be open there).
 */
export async function completeBankCheck(clientSecret: string, details: BankCheckDetails = {}): Promise<boolean> {
  const config = await getPaymentsConfig();
  if (config.provider === 'stripe') {
    if (!config.publishable_key) throw new Error('Stripe is not configured');
    const stripe = await loadStripe(config.publishable_key);
    const { paymentIntent, error } = await stripe.handleNextAction({ clientSecret });
    if (error || !paymentIntent) return false;
    return !['requires_payment_method', 'requires_action', 'canceled'].includes(paymentIntent.status);
  }
  return simulatedBankCheck(clientSecret, details);
}

/** Simulated provider: our own test-mode bank page, like Stripe test mode's 3-D Secure page. */
function simulatedBankCheck(clientSecret: string, details: BankCheckDetails): Promise<boolean> {
  return new Promise((resolve) => {
    const target = document.createElement('div');
    document.body.appendChild(target);
    const dialog = mount(BankCheckDialog, {
      target,
      props: {
        clientSecret,
        amountCents: details.amount_cents ?? null,
        ondone: (passed: boolean) => {
          resolve(passed);
          // Let the <dialog> finish closing (focus goes back to where it was) before removing it.
          queueMicrotask(() => {
            void unmount(dialog).then(() => target.remove());
          });
        },
      },
    });
  });
}
