// RFC 6238 TOTP (HMAC-SHA1, 30 s step, 6 digits) for browser tests, on node:crypto only.
// Secrets are RFC 4648 base32, as authenticator apps take them (padding and spaces optional).

import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 text -> bytes. Case-insensitive; ignores spaces, dashes and `=` padding. */
export function base32Decode(text) {
  const clean = text.toUpperCase().replace(/[\s=-]+/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`not base32: ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP for an 8-byte big-endian counter, with dynamic truncation. */
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary =
    ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP code for `secret` (base32) at `timeMs` (ms since the epoch). */
export function totp(secret, timeMs = Date.now(), step = 30, digits = 6) {
  return hotp(base32Decode(secret), Math.floor(timeMs / 1000 / step), digits);
}

/** The 30-second step number for `timeMs`. */
export function totpStep(timeMs, step = 30) {
  return Math.floor(timeMs / 1000 / step);
}
