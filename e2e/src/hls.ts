/** @module Small HLS text helpers for tests that walk master → media playlist → segment like a player. */

/** The URI lines of a playlist (non-empty, not tags), resolved against `base`. */
export function uriLines(text: string, base: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => new URL(l, base).href);
}

/** The first URI of a tag attribute (e.g. `EXT-X-MAP` → `URI`), resolved against `base`. */
export function tagUri(text: string, tag: string, base: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`#${tag}:`));
  const m = line ? /URI="([^"]+)"/.exec(line) : null;
  return m ? new URL(m[1]!, base).href : undefined;
}

/** Sum of `#EXTINF` durations, seconds. */
export function totalDuration(text: string): number {
  let sum = 0;
  for (const m of text.matchAll(/^#EXTINF:([\d.]+)/gm)) sum += Number(m[1]);
  return sum;
}

/** Fetches a URL and fails with the body when the status is not 2xx. */
export async function fetchOk(url: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res;
}

/** The URI of the first AES-128 `EXT-X-KEY` (a stitched playlist opens with METHOD=NONE over a clear pre-roll), resolved against `base`. */
export function contentKeyUri(text: string, base: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith('#EXT-X-KEY:') && l.includes('METHOD=AES-128'));
  const m = line ? /URI="([^"]+)"/.exec(line) : null;
  return m ? new URL(m[1]!, base).href : undefined;
}

/** True for a segment of a stitched ad: ads are transcoded under `/vod/ad-<hash>/`, never in the content's folder. */
export function isAdSegment(url: string): boolean {
  return /^\/vod\/ad-[0-9a-f]+\//.test(new URL(url).pathname);
}
