// End-to-end harness: runs the real `instainstru` binary on a free port with a fresh data
// directory, and drives Debian's Chromium through playwright-core (no downloaded browsers).
//
//   INSTAINSTRU_BIN=/path/to/instainstru npm run test:e2e
//
// Optional: CHROMIUM_PATH (default /usr/bin/chromium), E2E_KEEP_DATA=1 keeps the data dir.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = path.join(here, 'screenshots');
const REPO_ROOT = path.resolve(here, '..', '..', '..');

const LISTENING = /listening on (http:\/\/[^\s"]+)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const MAX_CAPTURE = 200_000;

/**
 * Start `$INSTAINSTRU_BIN serve --bind 127.0.0.1:0 --data-dir <tmp>` with the test clock and
 * the email outbox on. Resolves once the server logs `listening on http://...`.
 * @param {{ env?: Record<string, string>, args?: string[] }} [opts]
 * @returns {Promise<{ url: string, dataDir: string, output: () => string, stop: () => Promise<void> }>}
 */
export async function startServer(opts = {}) {
  const bin = process.env.INSTAINSTRU_BIN;
  if (!bin) {
    throw new Error('INSTAINSTRU_BIN is not set: point it at the instainstru binary (e.g. target/debug/instainstru)');
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'instainstru-e2e-'));
  const args = ['serve', '--bind', '127.0.0.1:0', '--data-dir', dataDir, ...(opts.args ?? [])];
  const child = spawn(bin, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      INSTAINSTRU__DEV__TEST_CLOCK: 'true',
      INSTAINSTRU__EMAIL__TRANSPORT: 'outbox',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  // Keep draining both pipes for the whole run (a full pipe would block the server) and keep
  // the tail of the output for error messages.
  let captured = '';
  const output = () => captured;
  let exited = false;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });

  const url = await new Promise((resolve, reject) => {
    let pending = { out: '', err: '' };
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (which) => (chunk) => {
      const text = chunk.toString('utf8');
      captured = (captured + text).slice(-MAX_CAPTURE);
      if (done) return;
      pending[which] += text;
      const lines = pending[which].split(/\r?\n/);
      pending[which] = lines.pop() ?? '';
      for (const line of lines) {
        const m = LISTENING.exec(line);
        if (m) return finish(null, m[1].replace(/\/$/, ''));
      }
    };
    child.stdout.on('data', onData('out'));
    child.stderr.on('data', onData('err'));
    child.once('error', (err) => finish(new Error(`could not start ${bin}: ${err.message}`)));
    child.once('exit', (code, signal) =>
      finish(new Error(`${bin} exited (code ${code}, signal ${signal}) before listening.\n--- output ---\n${captured}`)),
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`${bin} did not log "listening on http://..." within ${START_TIMEOUT_MS / 1000} s.\n--- output ---\n${captured}`));
    }, START_TIMEOUT_MS);
  }).catch(async (err) => {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });

  async function stop() {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exitPromise;
      clearTimeout(timer);
    }
    if (!process.env.E2E_KEEP_DATA) await rm(dataDir, { recursive: true, force: true });
  }

  return { url, dataDir, output, stop };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Draw sandboxed iframes (mail previews) in the page's own process: out-of-process frames
  // often come out blank or misplaced in full-page screenshots.
  '--disable-features=IsolateSandboxedIframes',
];

/** Launch Debian's Chromium (never a downloaded one). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/**
 * Save a full-page PNG to tests/e2e/screenshots/<name>.png and return its path.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9._-]+/gi, '_')}.png`);
  // From the top: a sticky header would otherwise be drawn where the page was scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Collect page errors and CSP violations, so a test can assert the page ran cleanly.
 * @param {import('playwright-core').Page} page
 */
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push(`csp: ${text}`);
  });
  return problems;
}
