// "Chrome on macOS" from a User-Agent string, for the active-sessions list. Rough on purpose:
// enough for a person to recognise their own devices.

export interface DeviceInfo {
  label: string;
  mobile: boolean;
}

export function describeDevice(ua: string | null | undefined): DeviceInfo {
  const s = ua ?? '';
  if (!s.trim()) return { label: 'Unknown device', mobile: false };

  let browser = '';
  if (/Edg\//.test(s)) browser = 'Edge';
  else if (/OPR\/|Opera/.test(s)) browser = 'Opera';
  else if (/SamsungBrowser/.test(s)) browser = 'Samsung Internet';
  else if (/Firefox\/|FxiOS/.test(s)) browser = 'Firefox';
  else if (/HeadlessChrome/.test(s)) browser = 'Headless Chrome';
  else if (/Chrome\/|CriOS|Chromium/.test(s)) browser = 'Chrome';
  else if (/Safari\//.test(s)) browser = 'Safari';
  else if (/curl\//i.test(s)) browser = 'curl';
  else if (/okhttp|python|go-http|node|axios/i.test(s)) browser = 'App or script';

  let os = '';
  if (/iPhone/.test(s)) os = 'iPhone';
  else if (/iPad/.test(s)) os = 'iPad';
  else if (/Android/.test(s)) os = 'Android';
  else if (/Windows/.test(s)) os = 'Windows';
  else if (/Mac OS X|Macintosh/.test(s)) os = 'macOS';
  else if (/CrOS/.test(s)) os = 'ChromeOS';
  else if (/Linux/.test(s)) os = 'Linux';

  const mobile = /Mobi|iPhone|Android|iPad/.test(s);
  if (browser && os) return { label: `${browser} on ${os}`, mobile };
  if (browser || os) return { label: browser || os, mobile };
  return { label: s.length > 48 ? `${s.slice(0, 45)}…` : s, mobile };
}
