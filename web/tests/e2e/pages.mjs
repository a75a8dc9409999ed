// Page helpers shared by the browser tests: toasts out of the way, the no-sideways-scrolling
// check, the standard screenshots, and signing in through the form.

import assert from 'node:assert/strict';

import { screenshot } from './harness.mjs';

export async function dismissToasts(page) {
  for (const btn of await page.getByRole('button', { name: 'Dismiss notification' }).all()) {
    await btn.click({ timeout: 1000 }).catch(() => {});
  }
}

export async function noHorizontalScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what}: no horizontal scrolling (overflow ${overflow}px)`);
}

/** Full-page screenshots at 1280 and 390; no sideways scrolling at 1280, 390 or 360. */
export async function shots(page, name) {
  const viewport = page.viewportSize();
  await dismissToasts(page);
  for (const width of [1280, 390, 360]) {
    await page.setViewportSize({ width, height: 860 });
    await page.waitForTimeout(250);
    await noHorizontalScroll(page, `${name} at ${width}px`);
    if (width !== 360) await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize(viewport);
}

/** Signs in through the form at `web` and waits until the header shows the user. */
export async function signIn(page, web, who) {
  await page.goto(`${web}/login`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('user-menu-button').waitFor();
}
