// Smoke test: the real server serves the app, the home page works, search navigates,
// unknown client routes render the app's own 404, and home looks right at phone and desktop widths.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, screenshot, startServer, watchPage } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(width = 1280, height = 800) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  return { page, problems: watchPage(page), close: () => context.close() };
}

test('home shows the hero and the search box, and searching goes to /search?q=', async () => {
  const { page, problems, close } = await newPage(1280);
  try {
    const res = await page.goto(`${server.url}/`);
    assert.equal(res?.status(), 200);

    const heading = page.getByRole('heading', { level: 1 });
    await heading.waitFor();
    assert.match((await heading.textContent()) ?? '', /instructor/i);

    const box = page.getByRole('combobox', { name: /describe the lesson/i });
    await box.waitFor();
    assert.ok(await box.isVisible(), 'hero search box is visible');

    const query = 'piano for my 8 year old in Brooklyn';
    await box.fill(query);
    await box.press('Enter');
    await page.waitForURL((url) => url.pathname === '/search');

    const url = new URL(page.url());
    assert.equal(url.searchParams.get('q'), query);
    await page.getByRole('heading', { level: 1, name: /piano for my 8 year old/i }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('an unknown client route is served by the app and shows its 404 page', async () => {
  const { page, problems, close } = await newPage(1280);
  try {
    const res = await page.goto(`${server.url}/instructors/anything`);
    assert.equal(res?.status(), 200, 'the SPA fallback answers client routes with index.html');
    assert.match(res?.headers()['content-type'] ?? '', /text\/html/);

    await page.getByTestId('not-found').waitFor();
    await page.getByRole('heading', { name: /couldn.t find that page/i }).waitFor();
    assert.ok(await page.getByRole('link', { name: /instainstru home/i }).isVisible(), 'app header renders');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('home renders at phone and desktop widths', async () => {
  for (const width of [390, 1280]) {
    const { page, problems, close } = await newPage(width);
    try {
      await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1 }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at ${width}px (overflow ${overflow}px)`);
      await screenshot(page, `home-${width}`);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});
