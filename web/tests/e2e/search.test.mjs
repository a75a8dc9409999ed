// Natural-language search in the browser against the real binary (issue 7). Two piano teachers
// in Park Slope go live through the API; the test waits for the search index to list them.
// - The words the results page writes back when a chip is removed or a filter changes
//   (src/lib/search/query.ts, loaded here on its own) parse on the server to exactly what they
//   stand for, for a table of queries and for every part removed.
// - On home, typing shows the autocomplete listbox (arrows, Enter picks without leaving,
//   Escape closes); Enter searches; the results page shows the understood chips and the cards
//   (price for the format, distance, next open time); removing a chip, a filter and the sort
//   search again through the URL; a card opens the instructor's page.
// - A loosened search says so; a search that finds nobody shows suggestions; a failed search
//   offers a retry; "Near me" uses the browser's position, and says so when it is refused.
// Screenshots: home with the autocomplete open and the results at 1280 and 390 px.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { ApiSession, createAdmin, makeLiveInstructor } from './fixtures.mjs';
import { launchBrowser, screenshot, startServer, watchPage } from './harness.mjs';
import { noHorizontalScroll } from './pages.mjs';

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;
let web = '';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = Date.now().toString(36);
const PASSWORD = 'Scales-and-arpeggios-2031';
const lena = { name: 'Lena Park', email: `lena.${run}@example.com`, password: PASSWORD };
const omar = { name: 'Omar Haddad', email: `omar.${run}@example.com`, password: PASSWORD };
const PARK_SLOPE = { latitude: 40.6734, longitude: -73.9776 };

const state = { lenaId: '', omarId: '', catalog: null, areas: null };

/** src/lib/search/query.ts as a module: it has type-only imports, so it stands on its own. */
async function importTs(file) {
  const source = await readFile(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
}

async function search(q, extra = '') {
  const res = await fetch(`${server.url}/api/v1/search?q=${encodeURIComponent(q)}${extra}`);
  assert.equal(res.status, 200, `search ${q} answered ${res.status}`);
  return res.json();
}

before(async () => {
  server = await startServer();
  web = server.url;
  browser = await launchBrowser();
  const admin = await createAdmin(server, { email: `boss.${run}@example.com`, password: 'Search-desk-2031' });
  const first = await makeLiveInstructor(server, admin, lena);
  state.lenaId = first.id;
  const second = await makeLiveInstructor(server, admin, omar);
  state.omarId = second.id;
  // Omar teaches for less, so the two cards (and the price sorts) differ.
  const catalog = await second.session.get('/api/v1/catalog');
  const piano = catalog.categories.flatMap((c) => c.subcategories).flatMap((s) => s.services).find((s) => s.slug === 'piano');
  await second.session.put('/api/v1/instructor/services', {
    services: [
      {
        service_id: String(piano.id),
        description: 'Jazz and pop piano for curious beginners of every age.',
        durations_min: [45, 60],
        age_groups: piano.age_groups,
        rates: { online_cents_per_hour: 7000, studio_cents_per_hour: 9500, travel_cents_per_hour: 11000 },
      },
    ],
  });
  state.catalog = catalog;
  state.areas = (await second.session.get('/api/v1/areas')).areas;

  // Go-live and service changes reach the index through background jobs: wait for both.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await fetch(`${server.url}/api/v1/dev/jobs/run`, { method: 'POST' });
    const found = await search('piano');
    const ids = found.results.map((r) => r.instructor_id);
    const omarCard = found.results.find((r) => r.instructor_id === state.omarId);
    if (ids.includes(state.lenaId) && omarCard?.price_cents_per_hour === 7000) break;
    assert.ok(Date.now() < deadline, `both instructors are searchable within 30 s: ${JSON.stringify(found.results)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(width = 1280, height = 860, options = {}) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId: 'America/New_York', ...options });
  const page = await context.newPage();
  return { page, context, problems: watchPage(page), close: () => context.close() };
}

/** Full-page screenshots at 1280 and 390; no sideways scrolling at 1280, 390 or 360. */
async function shots(page, name) {
  const viewport = page.viewportSize();
  for (const width of [1280, 390, 360]) {
    await page.setViewportSize({ width, height: 860 });
    await page.waitForTimeout(250);
    await noHorizontalScroll(page, `${name} at ${width}px`);
    if (width !== 360) await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize(viewport);
}

const chipNames = async (page) =>
  (await page.getByTestId('understood').getByRole('button').allTextContents()).map((t) => t.trim());

const searchParam = (page, name) => new URL(page.url()).searchParams.get(name);

// ---------------------------------------------------------------------------------------------

test('the words written back for chips and filters parse to exactly what they stand for', async () => {
  const { queryFrom, without } = await importTs(path.join(here, '../../src/lib/search/query.ts'));
  const queries = [
    'piano lessons for my 8 year old in brooklyn under $80 tomorrow morning',
    'sat prep in queens',
    'online spanish under 70',
    'guitar after 5 on saturday',
    'piano or guitar near park slope',
    'cheap violin in lic',
    'swimming for toddlers this weekend',
    'music lessons for kids',
    'math tutor for my high schooler',
    'sat or act prep',
    'voice & singing',
    'tutoring',
    'premium piano teacher at home',
    'yoga at the studio next week before 3pm',
    'ballet in person in ues at 6am',
    'chess near me under $49.99',
    'advanced violin in december',
    'beginner guitar between 3 and 5 on friday',
    'patient piano teacher for adults',
    "rubik's cube in hell's kitchen 12/25",
    'drums in williamsburg on friday after 4',
    'kindergarten readiness for my 5 year old',
    'tonight',
    'hip hop dance for teens',
  ];
  const parts = ['services', 'category', 'skill', 'audience', 'format', 'area', 'near', 'dates', 'times', 'price', 'tier', 'words'];
  for (const q of queries) {
    const { parsed } = await search(q);
    const written = queryFrom(parsed, state.catalog, state.areas);
    assert.deepEqual((await search(written)).parsed, parsed, `"${q}" written back as "${written}"`);
    // Each chip removed: the rest still reads the same.
    for (const part of parts) {
      const rest = without(parsed, part);
      if (JSON.stringify(rest) === JSON.stringify(parsed)) continue;
      const words = queryFrom(rest, state.catalog, state.areas);
      assert.deepEqual((await search(words)).parsed, rest, `"${q}" without ${part}: "${words}"`);
    }
  }
  // Relative days a filter writes as words the server places in the student's week.
  const weekend = (await search('this weekend')).parsed;
  const { parsed: piano } = await search('piano');
  const withWeekend = queryFrom(piano, state.catalog, state.areas, { dates: 'this weekend' });
  assert.equal(withWeekend, 'Piano this weekend');
  const got = (await search(withWeekend)).parsed;
  assert.deepEqual([got.date_from, got.date_to], [weekend.date_from, weekend.date_to]);
});

test('autocomplete on home, search, chips and filters, then an instructor page', async () => {
  const { page, problems, close } = await newPage(1280);
  try {
    await page.goto(`${web}/`);
    const box = page.getByRole('combobox', { name: /describe the lesson/i });
    await box.click();
    await box.pressSequentially('piano for kids in park sl', { delay: 25 });

    // The listbox completes the words being typed ("park sl"), not the whole query.
    const listbox = page.getByRole('listbox', { name: 'Suggestions' });
    await listbox.waitFor();
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    const parkSlope = listbox.getByRole('option', { name: /Park Slope/ });
    await parkSlope.waitFor();
    assert.equal(await box.getAttribute('aria-activedescendant'), null, 'nothing highlighted before the arrows');
    const options = await listbox.getByRole('option').allTextContents();
    for (let i = 0; i <= options.findIndex((o) => /Park Slope/.test(o)); i++) await box.press('ArrowDown');
    assert.equal(await parkSlope.getAttribute('aria-selected'), 'true');
    assert.equal(await box.getAttribute('aria-activedescendant'), await parkSlope.getAttribute('id'));
    await box.press('Enter');
    assert.equal(await box.inputValue(), 'piano for kids in Park Slope ', 'the pick replaces the words being typed');
    assert.equal(new URL(page.url()).pathname, '/', 'picking a suggestion does not leave the page');
    assert.equal(await box.getAttribute('aria-expanded'), 'false');

    // Escape closes the list and keeps the text (a search input would clear itself).
    await box.pressSequentially('gu', { delay: 25 });
    await listbox.getByRole('option', { name: /Guitar/ }).first().waitFor();
    await box.press('Escape');
    await listbox.waitFor({ state: 'hidden' });
    assert.equal(await box.inputValue(), 'piano for kids in Park Slope gu');
    await box.press('Backspace');
    await box.press('Backspace');
    await box.press('Backspace');

    // Enter with nothing highlighted searches.
    await box.press('Enter');
    await page.waitForURL((url) => url.pathname === '/search');
    assert.equal(searchParam(page, 'q'), 'piano for kids in Park Slope');
    await page.getByRole('heading', { level: 1, name: /2 instructors for “piano for kids in Park Slope”/ }).waitFor();
    assert.deepEqual(await chipNames(page), ['Piano', 'For kids', 'Park Slope']);

    // Cards: price for the format, distance from Park Slope, the next open time; cheapest in person first.
    const cards = page.getByTestId('search-result');
    assert.equal(await cards.count(), 2);
    await page.getByRole('combobox', { name: 'Sort', exact: true }).selectOption('price_asc');
    await page.waitForURL((url) => url.searchParams.get('sort') === 'price_asc');
    await page.getByTestId('search-result').first().filter({ hasText: 'Omar H.' }).waitFor();
    const omarCard = cards.filter({ hasText: 'Omar H.' });
    assert.match(await omarCard.getByTestId('result-price').innerText(), /\$95\/h\s+at their studio/);
    assert.match(await omarCard.innerText(), /Piano/);
    assert.match(await omarCard.innerText(), /New/);
    assert.match(await omarCard.innerText(), /(\d+ m|[\d.]+ km) away/);
    assert.match(await omarCard.getByTestId('result-next').innerText(), /^Next: (Today|Tomorrow|Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2}(:\d\d)? (am|pm)$/);
    assert.match(await cards.last().getByTestId('result-price').innerText(), /\$120\/h\s+at their studio/);

    // Removing a chip searches again without it (the sort stays).
    await page.getByRole('button', { name: 'Remove For kids' }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === 'Piano in Park Slope');
    assert.equal(searchParam(page, 'sort'), 'price_asc');
    await page.getByRole('heading', { level: 1, name: /2 instructors for “Piano in Park Slope”/ }).waitFor();
    assert.deepEqual(await chipNames(page), ['Piano', 'Park Slope']);

    // Filters rewrite the words too: online lessons, then the morning.
    await page.getByLabel('Format').selectOption('online');
    await page.waitForURL((url) => url.searchParams.get('q') === 'Piano online in Park Slope');
    await page.getByTestId('understood').getByRole('button', { name: 'Remove Online' }).waitFor();
    await page.getByTestId('search-result').first().getByText('$70/h').waitFor();
    assert.match(await cards.first().getByTestId('result-price').innerText(), /\$70\/h\s+online/);
    await page.getByLabel('Time of day').selectOption('afternoon');
    await page.waitForURL((url) => url.searchParams.get('q') === 'Piano online in Park Slope afternoon');
    await page.getByRole('button', { name: 'Remove 12 pm – 5 pm' }).waitFor();

    await shots(page, 'search-results');

    // The whole card opens the instructor's page.
    await page.setViewportSize({ width: 1280, height: 860 });
    await cards.filter({ hasText: 'Lena P.' }).click();
    await page.waitForURL((url) => url.pathname === `/instructors/${state.lenaId}`);
    await page.getByRole('heading', { level: 1, name: 'Lena P.' }).waitFor();
    // Back returns to the same search.
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: /for “Piano online in Park Slope afternoon”/ }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('home with the autocomplete open, at desktop and phone widths', async () => {
  for (const width of [1280, 390]) {
    const { page, problems, close } = await newPage(width);
    try {
      await page.goto(`${web}/`);
      const box = page.getByRole('combobox', { name: /describe the lesson/i });
      await box.click();
      await box.pressSequentially('piano for my 8 year old in br', { delay: 20 });
      const listbox = page.getByRole('listbox', { name: 'Suggestions' });
      await listbox.getByRole('option', { name: /Brooklyn/ }).first().waitFor();
      assert.ok((await listbox.getByRole('option').count()) >= 3, 'several areas start with "br"');
      await box.press('ArrowDown');
      await noHorizontalScroll(page, `home autocomplete at ${width}px`);
      await screenshot(page, `home-autocomplete-${width}`);
      assert.ok(await listbox.isVisible(), 'the list is still open for the screenshot');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});

test('a loosened search says what it loosened', async () => {
  const { page, problems, close } = await newPage(1280);
  try {
    // Both teach 09:00-17:00 only: 7 am finds nobody until the time is loosened.
    await page.goto(`${web}/search?q=${encodeURIComponent('piano at 7am')}`);
    const notice = page.getByTestId('relaxed-message');
    await notice.waitFor();
    assert.match(await notice.innerText(), /other times of day/);
    const chip = page.getByRole('button', { name: /Remove 7 am – 8 am \(loosened/ });
    await chip.waitFor();
    assert.equal(await page.getByTestId('search-result').count(), 2);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a search that finds nobody suggests other searches and the categories', async () => {
  const { page, problems, close } = await newPage(1280);
  try {
    await page.goto(`${web}/search?q=${encodeURIComponent('tuba for toddlers in staten island')}`);
    const empty = page.getByTestId('no-results');
    await empty.waitFor();
    await empty.getByRole('heading', { name: 'No instructors match that yet' }).waitFor();
    assert.deepEqual(await chipNames(page), ['Tuba', 'For toddlers', 'Staten Island']);
    assert.ok(await empty.getByRole('link', { name: 'spanish online under $70' }).isVisible());
    await empty.getByRole('link', { name: 'Music', exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === 'Music lessons');
    await page.getByRole('button', { name: 'Remove Music lessons' }).waitFor();
    await page.getByTestId('search-result').first().waitFor();
    await screenshot(page, 'search-category-1280');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }

  const phone = await newPage(390);
  try {
    await phone.page.goto(`${web}/search?q=${encodeURIComponent('tuba lessons in staten island')}`);
    await phone.page.getByTestId('no-results').waitFor();
    await noHorizontalScroll(phone.page, 'no results at 390px');
    await screenshot(phone.page, 'search-empty-390');
    assert.deepEqual(phone.problems, []);
  } finally {
    await phone.close();
  }
});

test('a search that fails to load offers a retry', async () => {
  const { page, close } = await newPage(1280);
  try {
    const isSearch = (url) => url.pathname === '/api/v1/search';
    await page.route(isSearch, (route) => route.abort('failed'));
    await page.goto(`${web}/search?q=piano`);
    const retry = page.getByRole('button', { name: 'Try again' });
    await retry.waitFor();
    await page.unroute(isSearch);
    await retry.click();
    await page.getByTestId('search-result').first().waitFor();
  } finally {
    await close();
  }
});

test('"Near me" searches from the browser’s position, and explains a refusal', async () => {
  const allowed = await newPage(1280, 860, { permissions: ['geolocation'], geolocation: PARK_SLOPE });
  try {
    const { page } = allowed;
    await page.goto(`${web}/search?q=${encodeURIComponent('piano in queens')}`);
    await page.getByTestId('search-result').first().waitFor();
    const near = page.getByRole('button', { name: 'Near me' });
    assert.equal(await near.getAttribute('aria-pressed'), 'false');
    await near.click();
    // "Near me" replaces the named area; the position travels with the search, not the URL.
    await page.waitForURL((url) => url.searchParams.get('q') === 'Piano near me');
    assert.equal(searchParam(page, 'lat'), null);
    await page.getByRole('button', { name: 'Remove Near you' }).waitFor();
    await page.getByRole('button', { name: 'Near me', pressed: true }).waitFor();
    await page.getByTestId('search-result').filter({ hasText: 'Lena P.' }).getByText(/away/).waitFor();
    assert.deepEqual(allowed.problems, []);
  } finally {
    await allowed.close();
  }

  const refused = await newPage(390);
  try {
    const { page } = refused;
    await page.goto(`${web}/search?q=piano`);
    await page.getByTestId('search-result').first().waitFor();
    await page.getByRole('button', { name: 'Near me' }).click();
    const error = page.getByTestId('geo-error');
    await error.waitFor();
    assert.match(await error.innerText(), /Location is turned off/);
    assert.equal(searchParam(page, 'q'), 'piano', 'the search stays as it was');
    // Asking for "near me" in words without a position asks for one.
    await page.goto(`${web}/search?q=${encodeURIComponent('piano near me')}`);
    await page.getByTestId('near-prompt').waitFor();
    assert.deepEqual(refused.problems, []);
  } finally {
    await refused.close();
  }
});
