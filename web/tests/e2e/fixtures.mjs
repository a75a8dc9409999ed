// Test fixtures shared by the browser tests: generated files (a PNG photo, a one-page PDF), a
// small cookie-keeping API client (CSRF header included), an admin made with
// `instainstru admin create`, and a live instructor set up entirely through the API.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------
// Files: a PNG (gradient with a "face") and a one-page PDF.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function makePng(width, height) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const i = y * (width * 3 + 1) + 1 + x * 3;
      const dx = x - width * 0.55;
      const dy = y - height * 0.45;
      const face = dx * dx + dy * dy < (height * 0.22) ** 2;
      raw[i] = face ? 240 : 60 + Math.round((x / width) * 120);
      raw[i + 1] = face ? 196 : 80 + Math.round((y / height) * 90);
      raw[i + 2] = face ? 160 : 200;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function makePdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// ---------------------------------------------------------------------------------------------
// API client

/**
 * A signed-in (or anonymous) API session against `baseUrl`: keeps the session cookie, sends
 * the CSRF token on unsafe methods, parses JSON. `call` returns `{ status, body, headers }`;
 * `ok` asserts a 2xx and returns the body.
 */
export class ApiSession {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookies = new Map();
    this.csrf = null;
    this.user = null;
  }

  async call(method, path, body, headers = {}) {
    const h = { accept: 'application/json', ...headers };
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (method !== 'GET' && this.csrf) h['x-csrf-token'] = this.csrf;
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    if (parsed && typeof parsed === 'object' && typeof parsed.csrf_token === 'string') this.csrf = parsed.csrf_token;
    if (parsed && typeof parsed === 'object' && parsed.user && typeof parsed.user === 'object') this.user = parsed.user;
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async ok(method, path, body, headers) {
    const res = await this.call(method, path, body, headers);
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  get(path) {
    return this.ok('GET', path);
  }
  post(path, body, headers) {
    return this.ok('POST', path, body, headers);
  }
  put(path, body, headers) {
    return this.ok('PUT', path, body, headers);
  }

  static async signup(baseUrl, { email, password, name, role }) {
    const s = new ApiSession(baseUrl);
    await s.post('/api/v1/auth/signup', { email, password, full_name: name, role });
    return s;
  }

  static async login(baseUrl, { email, password }) {
    const s = new ApiSession(baseUrl);
    await s.post('/api/v1/auth/login', { email, password });
    return s;
  }
}

/**
 * The verification token from the newest verify-email message to `email` in the dev outbox.
 * Mail is sent by a job, so this waits (up to 15 s) for it to arrive.
 */
export async function verificationToken(baseUrl, email) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${baseUrl}/api/v1/dev/outbox?to=${encodeURIComponent(email)}`);
    assert.equal(res.status, 200, 'the dev outbox is on');
    const { items } = await res.json();
    const mail = items.find((m) => /verif/i.test(m.template) && /token=/.test(m.text));
    if (mail) {
      const m = /token=([A-Za-z0-9_\-.%]+)/.exec(mail.text);
      assert.ok(m, 'the verification email has a token link');
      return decodeURIComponent(m[1]);
    }
    assert.ok(Date.now() < deadline, `a verification email went to ${email} within 15 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Run `instainstru admin create` against the server's data dir; returns the credentials. */
export async function createAdmin(server, { email, password }) {
  await promisify(execFile)(process.env.INSTAINSTRU_BIN, ['admin', 'create', '--email', email, '--password', password, '--data-dir', server.dataDir]);
  return { email, password };
}

/**
 * A live instructor made through the API: profile (New York, Park Slope studio, travels to Park
 * Slope and Prospect Heights), Piano online/studio/travel with 45 and 60 min, a photo, a
 * background check the admin passes, payouts, every day 09:00-17:00, go live.
 * @returns {Promise<{ id: string, session: ApiSession, serviceId: string }>}
 */
export async function makeLiveInstructor(server, admin, { name, email, password }) {
  const me = await ApiSession.signup(server.url, { email, password, name, role: 'instructor' });
  const id = me.user.id;
  await me.post('/api/v1/auth/verify-email', { token: await verificationToken(server.url, email) });
  await me.put('/api/v1/instructor/profile', {
    bio: 'Concert pianist and patient teacher: fifteen years of lessons for children and adults, from first notes to auditions.',
    years_experience: 15,
    languages: ['English'],
    timezone: 'America/New_York',
    service_areas: ['park-slope', 'prospect-heights'],
    meeting_url: 'https://meet.example.com/piano',
    teaching_location: { address: '100 7th Avenue, Park Slope, Brooklyn', lat: 40.6734, lng: -73.9776 },
  });
  const catalog = await me.get('/api/v1/catalog');
  const piano = catalog.categories
    .flatMap((c) => c.subcategories)
    .flatMap((s) => s.services)
    .find((s) => s.slug === 'piano');
  assert.ok(piano, 'the catalog has Piano');
  await me.put('/api/v1/instructor/services', {
    services: [
      {
        service_id: String(piano.id),
        description: 'Classical and pop repertoire, sight-reading and theory, at your pace.',
        durations_min: [45, 60],
        age_groups: piano.age_groups,
        rates: { online_cents_per_hour: 9000, studio_cents_per_hour: 12000, travel_cents_per_hour: 14000 },
      },
    ],
  });
  const photo = new FormData();
  photo.append('file', new Blob([makePng(320, 320)], { type: 'image/png' }), 'me.png');
  await me.post('/api/v1/instructor/photo', photo);
  const doc = new FormData();
  doc.append('file', new Blob([makePdf()], { type: 'application/pdf' }), 'check.pdf');
  await me.post('/api/v1/instructor/background-check', doc);
  const boss = await ApiSession.login(server.url, admin);
  await boss.post(`/api/v1/admin/background-checks/${encodeURIComponent(id)}`, { result: 'passed', note: 'Checked by the e2e test' });
  await me.post('/api/v1/instructor/payouts/onboarding');
  const avail = await me.call('GET', '/api/v1/instructor/availability');
  assert.equal(avail.status, 200);
  const day = [{ start: '09:00', end: '17:00' }];
  await me.put(
    '/api/v1/instructor/availability',
    { ...avail.body, weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day } },
    { 'if-match': avail.headers.get('etag') ?? '' },
  );
  const live = await me.post('/api/v1/instructor/go-live');
  assert.equal(live.live, true, `the instructor is live: ${JSON.stringify(live)}`);
  const profile = await me.get(`/api/v1/instructors/${encodeURIComponent(id)}`);
  return { id, session: me, serviceId: profile.services[0].id };
}
