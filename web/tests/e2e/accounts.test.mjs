// Accounts and security, end to end in the browser against the real binary:
// sign up -> sign out (user menu) -> sign in -> turn on two-step verification with a TOTP code
// computed here -> sign out -> sign in with password + a fresh code. Then the verification link
// from the dev outbox, and screenshots of the account pages at phone and desktop widths.
//
// The server runs with the test clock, which stands still: TOTP codes are computed from
// GET /api/v1/dev/clock, and the clock is moved 30 s on before a second code is needed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, screenshot, startServer, watchPage } from './harness.mjs';
import { noHorizontalScroll } from './pages.mjs';
import { totp, totpStep } from './totp.mjs';

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

const PASSWORD = 'Violin-lessons-2031';
const run = Date.now().toString(36);

/** The account from the first test: it ends with two-step verification on. */
const ada = { name: 'Ada Lovelace', email: `ada.${run}@example.com`, password: PASSWORD };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(width = 1280, height = 860) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  return { page, context, problems: watchPage(page), close: () => context.close() };
}

/** JSON from the server without the browser (dev endpoints need no session). */
async function api(method, path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The app's clock in ms (the test clock when on, else the real one). */
async function serverNow() {
  const res = await api('GET', '/api/v1/dev/clock');
  if (res.status === 200 && res.body?.now) return Date.parse(res.body.now);
  return Date.now();
}

/** A TOTP code for a time step later than `afterStep` (moving the test clock on if needed). */
async function freshCode(secret, afterStep = -1) {
  let now = await serverNow();
  if (totpStep(now) <= afterStep) {
    const moved = await api('POST', '/api/v1/dev/clock', { advance_seconds: 30 });
    if (moved.status === 200) now = Date.parse(moved.body.now);
    else {
      // Real clock: wait for the next step.
      await new Promise((r) => setTimeout(r, ((afterStep + 1) * 30_000 - now) + 500));
      now = Date.now();
    }
  }
  return { code: totp(secret, now), step: totpStep(now) };
}

async function dismissToasts(page) {
  for (const btn of await page.getByRole('button', { name: 'Dismiss notification' }).all()) {
    await btn.click().catch(() => {});
  }
}

/**
 * A full-page screenshot that includes iframes: Chromium skips painting frames that were never
 * inside the viewport, so make the viewport as tall as the page for the capture.
 */
async function screenshotWithFrames(page, name) {
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height });
  await page.waitForTimeout(300);
  await screenshot(page, name);
  await page.setViewportSize(viewport);
}

/** Sign up through the form and wait until the header shows the user. */
async function signUp(page, who) {
  await page.goto(`${server.url}/signup`);
  await page.getByLabel('Full name').fill(who.name);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('user-menu-button').waitFor();
}

async function signOutViaMenu(page) {
  await page.getByTestId('user-menu-button').click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
}

async function fillLogin(page, who) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Newest outbox message with `template` for `to`, running due jobs while waiting. */
async function waitForMail(to, template) {
  for (let i = 0; i < 50; i++) {
    await api('POST', '/api/v1/dev/jobs/run');
    const res = await api('GET', `/api/v1/dev/outbox?to=${encodeURIComponent(to)}`);
    assert.equal(res.status, 200, 'the outbox answers');
    const hit = res.body.items.find((m) => m.template === template);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${template} mail for ${to}`);
}

test('sign up, sign out, sign in, turn on two-step verification, sign in with a code', async () => {
  const { page, problems, close } = await newPage(1280);
  try {
    await signUp(page, ada);
    assert.equal(new URL(page.url()).pathname, '/', 'lands on the home page');
    assert.match(await page.getByTestId('user-menu-button').innerText(), /Ada/);
    await page.getByTestId('verify-banner').waitFor();

    await signOutViaMenu(page);
    await fillLogin(page, ada);
    await page.getByTestId('user-menu-button').waitFor();

    await page.goto(`${server.url}/account/security`);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const secretEl = page.getByTestId('totp-secret');
    await secretEl.waitFor();
    const secret = ((await secretEl.textContent()) ?? '').replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{16,}$/, 'the secret is unpadded base32');
    assert.ok(await page.getByTestId('totp-qr').isVisible(), 'the QR code shows');
    await dismissToasts(page);
    await screenshot(page, 'account-security-qr-1280');

    const first = await freshCode(secret);
    await page.getByLabel('6-digit code').fill(first.code);
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page.getByTestId('backup-codes').waitFor();
    assert.equal(await page.getByTestId('backup-code').count(), 10, 'ten backup codes');
    await dismissToasts(page);
    await screenshot(page, 'account-backup-codes-1280');
    await page.getByRole('button', { name: 'I saved them' }).click();
    await page.getByText('Your account is protected').waitFor();

    await signOutViaMenu(page);
    await fillLogin(page, ada);
    await page.getByTestId('two-factor-form').waitFor();
    const codeInput = page.getByLabel('Verification code');
    assert.equal(await codeInput.getAttribute('autocomplete'), 'one-time-code');
    await screenshot(page, 'login-2fa-1280');

    const second = await freshCode(secret, first.step);
    await codeInput.fill(second.code);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByTestId('user-menu-button').waitFor();
    await page.getByTestId('user-menu-button').click();
    assert.equal(await page.getByTestId('user-menu-name').innerText(), ada.name, 'the user menu shows the name');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('the verification link from the outbox confirms the email', async () => {
  const bob = { name: 'Bob Marley', email: `bob.${run}@example.com`, password: PASSWORD };
  const { page, problems, close } = await newPage(1280);
  try {
    await signUp(page, bob);
    await page.getByTestId('verify-banner').waitFor();

    const mail = await waitForMail(bob.email, 'verify_email');
    const link = /https?:\/\/\S*?\/verify-email\?token=[^\s"'<>]+/.exec(mail.text);
    assert.ok(link, `the text version has a /verify-email?token= link:\n${mail.text}`);
    const target = new URL(link[0]);
    // Open it on this server whatever public URL the mail was written with.
    await page.goto(`${server.url}${target.pathname}${target.search}`);
    await page.getByTestId('verify-success').waitFor();
    assert.equal(await page.getByTestId('verify-banner').count(), 0, 'the unverified banner is gone');
    await page.goto(`${server.url}/account`);
    await page.getByText('Verified', { exact: true }).waitFor();

    // The mailbox lists it, with a clickable link in the text version.
    await page.goto(`${server.url}/dev/mailbox?to=${encodeURIComponent(bob.email)}`);
    await page.getByTestId('mailbox').waitFor();
    await page.getByRole('button', { name: new RegExp(mail.subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).first().click();
    const anchor = page.getByTestId('mail-text').first().locator('a[href*="/verify-email?token="]');
    assert.equal(await anchor.count(), 1, 'the verify link is clickable');
    assert.equal(await page.locator('iframe[sandbox=""]').count(), 1, 'HTML shows in a sandboxed iframe');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('account pages at phone and desktop widths', async () => {
  const carol = { name: 'Carol Shields', email: `carol.${run}@example.com`, password: PASSWORD };
  let carolExists = false;
  for (const width of [390, 1280]) {
    // Signed out: sign-in and sign-up forms.
    {
      const { page, problems, close } = await newPage(width);
      try {
        await page.goto(`${server.url}/login`, { waitUntil: 'networkidle' });
        await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
        await noHorizontalScroll(page, `login ${width}`);
        await screenshot(page, `login-${width}`);
        await page.goto(`${server.url}/signup`, { waitUntil: 'networkidle' });
        await page.getByRole('heading', { name: 'Create your account' }).waitFor();
        await noHorizontalScroll(page, `signup ${width}`);
        await screenshot(page, `signup-${width}`);
        // The two-step step of the account from the first test.
        await fillLogin(page, ada);
        await page.getByTestId('two-factor-form').waitFor();
        await noHorizontalScroll(page, `2fa ${width}`);
        await screenshot(page, `login-2fa-${width}`);
        assert.deepEqual(problems, []);
      } finally {
        await close();
      }
    }
    // Signed in: security tab with the QR code, the notifications dropdown, the mailbox.
    {
      const { page, problems, close } = await newPage(width);
      try {
        if (carolExists) await fillLogin(page, carol);
        else await signUp(page, carol);
        carolExists = true;
        await page.getByTestId('user-menu-button').waitFor();
        await dismissToasts(page);

        await page.goto(`${server.url}/account/security`, { waitUntil: 'networkidle' });
        await page.getByRole('button', { name: 'Set up two-step verification' }).click();
        await page.getByTestId('totp-qr').waitFor();
        await page.evaluate(() => window.scrollTo(0, 0));
        await noHorizontalScroll(page, `security ${width}`);
        await screenshot(page, `account-security-qr-${width}`);

        await page.goto(`${server.url}/account`, { waitUntil: 'networkidle' });
        await page.getByTestId('profile-form').waitFor();
        await noHorizontalScroll(page, `profile ${width}`);
        await screenshot(page, `account-profile-${width}`);

        await page.goto(`${server.url}/account/notifications`, { waitUntil: 'networkidle' });
        await page.getByRole('heading', { name: 'What we tell you about' }).waitFor();
        await page.getByTestId('notification-prefs').or(page.getByRole('alert')).first().waitFor();
        await noHorizontalScroll(page, `notification settings ${width}`);
        await screenshot(page, `account-notifications-${width}`);

        await page.goto(`${server.url}/account/privacy`, { waitUntil: 'networkidle' });
        await page.getByRole('heading', { name: 'Download your data' }).waitFor();
        await noHorizontalScroll(page, `privacy ${width}`);
        await screenshot(page, `account-privacy-${width}`);

        await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
        await page.getByTestId('notifications-button').click();
        const panel = page.getByTestId('notifications-panel');
        await panel.waitFor();
        await panel.locator('[aria-busy="true"]').waitFor({ state: 'detached' });
        await screenshot(page, `notifications-dropdown-${width}`);

        await page.goto(`${server.url}/dev/mailbox`, { waitUntil: 'networkidle' });
        await page.getByTestId('mailbox').waitFor();
        await page.getByTestId('mailbox').getByRole('button').first().click();
        await page.getByTestId('mail-text').first().waitFor();
        await page.frameLocator('iframe[sandbox=""]').first().locator('body *').first().waitFor();
        await noHorizontalScroll(page, `mailbox ${width}`);
        await screenshotWithFrames(page, `dev-mailbox-${width}`);
        assert.deepEqual(problems, []);
      } finally {
        await close();
      }
    }
  }
});

test('repeated wrong passwords lock sign-in and say for how long', async () => {
  const { page, problems, close } = await newPage(390);
  try {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(ada.email);
    for (let i = 0; i < 12; i++) {
      await page.getByLabel('Password').fill(`not-the-password-${i}`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const outcome = await Promise.race([
        page.getByTestId('login-locked').waitFor().then(() => 'locked'),
        page.getByTestId('login-error').waitFor().then(() => 'wrong'),
      ]);
      if (outcome === 'locked') break;
      assert.match(await page.getByTestId('login-error').innerText(), /don.t match/);
    }
    const text = await page.getByTestId('login-locked').innerText();
    assert.match(text, /Too many attempts, try again in \d+ (seconds?|minutes?)/);
    assert.ok(await page.getByRole('button', { name: 'Sign in', exact: true }).isDisabled(), 'submit waits out the lock');
    await screenshot(page, 'login-locked-390');
    assert.deepEqual(problems, []);
  } finally {
    await close();
    // Let the lock lapse for anything that runs after this.
    await api('POST', '/api/v1/dev/clock', { advance_seconds: 600 });
  }
});
