// "Near me": the browser's position, asked for only when the student presses the button, kept
// for this tab (sessionStorage) and sent with each search as lat/lng, never put in the URL.
// Rounded to about 10 m: enough for distances, less precise than a doorstep.

export interface Coords {
  lat: number;
  lng: number;
}

const KEY = 'instainstru.search.near';
const SUGGEST_AREA = 'add a neighborhood to your search, like “in Park Slope”';

export function savedCoords(): Coords | null {
  try {
    const c = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Coords | null;
    return c && Number.isFinite(c.lat) && Number.isFinite(c.lng) ? c : null;
  } catch {
    return null;
  }
}

/** The browser's position, or an Error whose message says what to do instead. */
export function locate(): Promise<Coords> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error(`This browser can’t share your location. Instead, ${SUGGEST_AREA}.`));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const coords = {
          lat: Math.round(pos.coords.latitude * 1e4) / 1e4,
          lng: Math.round(pos.coords.longitude * 1e4) / 1e4,
        };
        try {
          sessionStorage.setItem(KEY, JSON.stringify(coords));
        } catch {
          // Storage off: the position lasts until the page is left.
        }
        resolve(coords);
      },
      (err) =>
        reject(
          new Error(
            err.code === err.PERMISSION_DENIED
              ? `Location is turned off for this site, so we can’t search near you. Allow it in your browser’s settings, or ${SUGGEST_AREA}.`
              : `We couldn’t find your location just now. Try again, or ${SUGGEST_AREA}.`,
          ),
        ),
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 10 * 60_000 },
    );
  });
}
