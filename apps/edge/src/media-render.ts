/**
 * @module Session media playlists at the edge: per-source templates (the session id is the only
 * thing that differs between two sessions of one source) built by a run-compressing front end
 * over manifest-core's `renderSessionMedia`, so that a source's first render costs a fraction of
 * a whole render (1,200 segments: ~0.3–0.45 ms instead of ~1.6–2.2 ms warm, in workerd), with the
 * bytes every zone renders.
 *
 * Why: a source's first render used to parse, personalise and serialise every segment
 * (1,200 segments: ~1.5 ms warm and several ms in a fresh isolate, where the parser and
 * serializer still run in the interpreter). Almost all of a VOD playlist is runs of plain
 * segments, `#EXTINF:<d>,<title>` then a bare file name, and those render by rule: the EXTINF
 * line becomes the serializer's canonical form of that same line, the name becomes
 * `<folder URL><name><session query>`. So the run-compressed playlist (every tag and every other
 * segment kept, each run replaced by one probe segment per distinct EXTINF line) goes through
 * manifest-core, and the runs are expanded back with the probes' rendered prefix, suffix and
 * EXTINF lines, using native string replaces. Anything unexpected (a probe not rendered as a
 * plain two-line segment, CR line ends, a name that is not a bare file name) falls back to
 * rendering the whole source with manifest-core, so the output never differs from it.
 */
import { renderSessionMedia, type SessionUrls, type SourcePlaylistText } from '@meridian/manifest-core';

/** Stands for the session id while rendering a template (same rule as manifest-core's renderer: a source or token holding U+0001 is rendered directly). */
const PLACEHOLDER = '\u0001meridian-session\u0001';
/** Templates kept per source playlist (one per URL base and serving origin, normally one or two). */
const MAX_TEMPLATES_PER_SOURCE = 8;
/** File names of probe segments; a source that already contains the stem is rendered whole. */
const PROBE_STEM = 'meridian-run-probe-';

/**
 * A maximal run of plain segments preceded by a URI line (so that no segment tag of the run's
 * first segment sits above it): group 1 is that URI line, group 2 the run. A plain segment is an
 * EXTINF line and a bare file name (no `/`, `?`, `#`, `%` or `:`, not starting with a dot), whose
 * resolution against the playlist's folder is the folder plus the name (RFC 3986 §5.2.3: no dot
 * segments to remove).
 */
const RUN = /^([^#\n][^\n]*\n)((?:#EXTINF:[^\n]*\n[A-Za-z0-9_-][A-Za-z0-9._-]*\n)+)/gm;
const EXTINF_LINE = /^#EXTINF:[^\n]*$/gm;
const NAME_LINE = /^[^#\n][^\n]*$/gm;

/** Renders a session's media playlist through per-source templates. */
export interface EdgeMediaRenderer {
  /**
   * The playlist text for `token`, equal to `renderSessionMedia(source, urlsFor(token))`.
   * `templateKey` names everything else the URLs depend on (URL base, serving origin).
   */
  text(source: SourcePlaylistText, token: string, urlsFor: (token: string) => SessionUrls, templateKey: string): string;
  /**
   * Makes sure the source's template for `templateKey` is in the isolate, reading it from the
   * shared cache or rendering (and sharing) it; `text` then only joins. Says where it came from.
   */
  prepare(
    source: SourcePlaylistText,
    urlsFor: (token: string) => SessionUrls,
    templateKey: string,
  ): Promise<TemplateSource>;
}

/** Distinct lines found by searching without allocating before a full collection is worth it. */
const MAX_SEARCHED_DISTINCT = 8;
/** Pairs of a run whose EXTINF line is not the run's first that are written one by one before a generic pass is cheaper. */
const MAX_DIRECT_PAIRS = 32;

/** RegExp source matching `text` literally. */
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * The distinct EXTINF lines of the runs, in order of first appearance. A VOD playlist has few
 * (one duration, and the last segment's), so each is found by one search for "an EXTINF line
 * other than those found so far", which allocates nothing per segment; many distinct durations
 * are collected in one pass instead.
 */
function distinctExtinfLines(runs: readonly string[]): string[] {
  const found: string[] = [];
  for (const run of runs) {
    for (;;) {
      const other =
        found.length === 0
          ? /^#EXTINF:[^\n]*$/m
          : new RegExp(`^(?!(?:${found.map(escapeRegExp).join('|')})$)#EXTINF:[^\n]*$`, 'm');
      const hit = other.exec(run);
      if (!hit) break;
      found.push(hit[0]);
      if (found.length > MAX_SEARCHED_DISTINCT) return [...new Set(runs.flatMap((r) => r.match(EXTINF_LINE) ?? []))];
    }
  }
  return found;
}

/** `$` is special in String.prototype.replace replacements. */
function literal(text: string): string {
  return text.replaceAll('$', '$$$$');
}

/** The pieces (in order) of the run-compressed rendering, or undefined (see {@link renderRunCompressed}). */
function renderPieces(source: SourcePlaylistText, urls: SessionUrls): string[] | undefined {
  const text = source.text;
  if (text.includes('\r') || text.includes(PROBE_STEM)) return undefined;
  const runs = [...text.matchAll(RUN)];
  if (runs.length === 0) return undefined;

  // Every distinct EXTINF line of the runs gets one probe, in the first run.
  const extinfs = distinctExtinfLines(runs.map((m) => m[2]!));
  let skeleton = '';
  let at = 0;
  for (const [r, m] of runs.entries()) {
    const start = m.index + m[1]!.length;
    skeleton += text.slice(at, start);
    if (r === 0) for (const [k, line] of extinfs.entries()) skeleton += `${line}\n${PROBE_STEM}${r}-${k}.ts\n`;
    else skeleton += `${m[2]!.slice(0, m[2]!.indexOf('\n'))}\n${PROBE_STEM}${r}-0.ts\n`;
    at = start + m[2]!.length;
  }
  skeleton += text.slice(at);

  let rendered: string;
  try {
    rendered = renderSessionMedia({ path: source.path, text: skeleton }, urls);
  } catch {
    return undefined;
  }

  // The rendered URI line of the first probe gives the prefix and suffix every bare name gets.
  const firstName = `${PROBE_STEM}0-0.ts`;
  const firstAt = rendered.indexOf(firstName);
  if (firstAt < 0) return undefined;
  const lineStart = rendered.lastIndexOf('\n', firstAt) + 1;
  const lineEnd = rendered.indexOf('\n', firstAt);
  if (lineEnd < 0) return undefined;
  const prefix = rendered.slice(lineStart, firstAt);
  const suffix = rendered.slice(firstAt + firstName.length, lineEnd);
  if (prefix.startsWith('#')) return undefined;

  // Each probe must come out as exactly "<EXTINF line>\n<prefix><name><suffix>\n", contiguous per run.
  const canonical = new Map<string, string>();
  const regions: Array<{ from: number; to: number; run: string }> = [];
  let cursor = 0;
  for (const [r, m] of runs.entries()) {
    const probes = r === 0 ? extinfs : [m[2]!.slice(0, m[2]!.indexOf('\n'))];
    let from = -1;
    let pos = cursor;
    for (const [k, line] of probes.entries()) {
      const uriLine = `${prefix}${PROBE_STEM}${r}-${k}.ts${suffix}\n`;
      const uriAt = rendered.indexOf(`\n${uriLine}`, pos);
      if (uriAt < 0) return undefined;
      const extinfAt = rendered.lastIndexOf('\n', uriAt - 1) + 1;
      const extinf = rendered.slice(extinfAt, uriAt);
      if (!extinf.startsWith('#EXTINF:') || (from >= 0 && extinfAt !== pos)) return undefined;
      if (r === 0) canonical.set(line, extinf);
      else if (canonical.get(line) !== extinf) return undefined;
      if (from < 0) from = extinfAt;
      pos = uriAt + 1 + uriLine.length;
    }
    regions.push({ from, to: pos, run: m[2]! });
    cursor = pos;
  }

  // Expand each run. Its first EXTINF line is nearly always the common duration: the stretches
  // of pairs with that line are rewritten by one regex replace each, and the pairs with another
  // line (found by exact search; usually only the last segment's) are written directly. Runs with
  // many such pairs are rewritten line by line in two generic passes.
  const names = `${literal(prefix)}$&${literal(suffix)}`;
  const generic = (run: string): string =>
    run.replace(EXTINF_LINE, (line) => canonical.get(line) ?? line).replace(NAME_LINE, names);
  const expand = (run: string): string => {
    const first = run.slice(0, run.indexOf('\n'));
    const cuts: Array<{ at: number; line: string }> = [];
    for (const line of extinfs) {
      if (line === first) continue;
      const needle = `\n${line}\n`;
      for (let i = run.indexOf(needle); i >= 0; i = run.indexOf(needle, i + 1)) {
        cuts.push({ at: i + 1, line });
        if (cuts.length > MAX_DIRECT_PAIRS) return generic(run);
      }
    }
    cuts.sort((a, b) => a.at - b.at);
    // A stretch is "D\nname\nD\nname\n…": every "\nD\n" between two names becomes the end of one URI
    // line and the start of the next pair, with one plain-string replaceAll.
    const canonFirst = canonical.get(first) ?? first;
    const between = literal(`${suffix}\n${canonFirst}\n${prefix}`);
    const firstLine = `${first}\n`;
    const stretch = (chunk: string): string | undefined => {
      if (chunk === '') return '';
      if (!chunk.startsWith(firstLine)) return undefined;
      return `${canonFirst}\n${prefix}${chunk.slice(firstLine.length, -1).replaceAll(`\n${firstLine}`, between)}${suffix}\n`;
    };
    let expanded = '';
    let from = 0;
    for (const { at, line } of cuts) {
      const nameStart = at + line.length + 1;
      const nameEnd = run.indexOf('\n', nameStart);
      const before = stretch(run.slice(from, at));
      if (before === undefined) return generic(run);
      expanded += `${before}${canonical.get(line) ?? line}\n${prefix}${run.slice(nameStart, nameEnd)}${suffix}\n`;
      from = nameEnd + 1;
    }
    const last = stretch(run.slice(from));
    return last === undefined ? generic(run) : expanded + last;
  };
  const pieces: string[] = [];
  at = 0;
  for (const { from, to, run } of regions) {
    pieces.push(rendered.slice(at, from), expand(run));
    at = to;
  }
  pieces.push(rendered.slice(at));
  return pieces;
}

/**
 * The session media playlist of `source` for `urls`, through the run-compressed source; undefined
 * when the fast path does not apply or cannot prove its output (the caller renders the whole source).
 */
export function renderRunCompressed(source: SourcePlaylistText, urls: SessionUrls): string | undefined {
  return renderPieces(source, urls)?.join('');
}

/** Splits text given as pieces at every `separator` without joining the pieces first (no copy of the whole text). */
function splitPieces(pieces: readonly string[], separator: string): string[] {
  let parts: string[] | undefined;
  for (const piece of pieces) {
    const split = piece.split(separator);
    if (parts === undefined) parts = split;
    else {
      // A separator never straddles two pieces: pieces end at line ends and it sits inside a URI line.
      parts[parts.length - 1] += split[0]!;
      for (let i = 1; i < split.length; i++) parts.push(split[i]!);
    }
  }
  return parts ?? [''];
}

/** Options of {@link createEdgeMediaRenderer}. */
export interface EdgeMediaRendererOptions {
  /**
   * Templates shared with the colo's other isolates through the Cache API: the first isolate to
   * render a source stores the template (keyed by a SHA-256 of the source and of every URL it
   * depends on); the others read it instead of rendering, so their first render is a cache read,
   * a split and a join. Entries live `ttlSeconds`. Default none.
   */
  shared?: { cache: Cache; ttlSeconds: number };
}

/** How {@link EdgeMediaRenderer.prepare} came by a template: already in the isolate, read from the shared cache, or rendered here. */
export type TemplateSource = 'isolate' | 'shared' | 'rendered' | 'direct';

/** Cache API keys of shared templates live on a host nobody serves. */
const SHARED_TEMPLATE_BASE = 'https://media-template.meridian.invalid/';

const encoder = new TextEncoder();

/** Hex SHA-256 of the parts (WebCrypto: native, and it runs once per source and isolate). */
async function sha256Hex(parts: readonly string[]): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(parts.join('\u0000'))));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Creates a renderer whose templates live as long as the source playlist object (a WeakMap: when
 * the source cache drops a playlist, its templates go with it).
 * @example
 * const media = createEdgeMediaRenderer({ shared: { cache: caches.default, ttlSeconds: 86_400 } });
 * await media.prepare(source, (t) => urlsFor(base, t), base);
 * const text = media.text(source, token, (t) => urlsFor(base, t), base);
 */
export function createEdgeMediaRenderer(options: EdgeMediaRendererOptions = {}): EdgeMediaRenderer {
  const templates = new WeakMap<SourcePlaylistText, Map<string, string[]>>();
  const render = (source: SourcePlaylistText, urls: SessionUrls): string =>
    renderRunCompressed(source, urls) ?? renderSessionMedia(source, urls);
  /** Template parts: split piece by piece, so the expanded runs are never copied into one string first. */
  const partsOf = (source: SourcePlaylistText, urls: SessionUrls): string[] => {
    const pieces = renderPieces(source, urls) ?? [renderSessionMedia(source, urls)];
    return splitPieces(pieces, PLACEHOLDER);
  };
  // A token that could collide with the placeholder, or a source that contains it, is rendered directly.
  const isDirect = (source: SourcePlaylistText, token: string): boolean =>
    source.text.includes('\u0001') || token.includes('\u0001');
  const store = (source: SourcePlaylistText, templateKey: string, parts: string[]): void => {
    let bySource = templates.get(source);
    if (!bySource) templates.set(source, (bySource = new Map()));
    if (bySource.size >= MAX_TEMPLATES_PER_SOURCE) bySource.clear();
    bySource.set(templateKey, parts);
  };
  const local = (source: SourcePlaylistText, templateKey: string): string[] | undefined =>
    templates.get(source)?.get(templateKey);
  return {
    text(source, token, urlsFor, templateKey) {
      if (isDirect(source, token)) return render(source, urlsFor(token));
      let parts = local(source, templateKey);
      if (!parts) store(source, templateKey, (parts = partsOf(source, urlsFor(PLACEHOLDER))));
      return parts.join(token);
    },
    async prepare(source, urlsFor, templateKey) {
      if (isDirect(source, '')) return 'direct';
      if (local(source, templateKey)) return 'isolate';
      const shared = options.shared;
      if (!shared) {
        store(source, templateKey, partsOf(source, urlsFor(PLACEHOLDER)));
        return 'rendered';
      }
      // Everything the output depends on: the source, its path, and every URL the session's URLs are built from.
      const urls = urlsFor(PLACEHOLDER);
      const key = `${SHARED_TEMPLATE_BASE}${await sha256Hex([source.path, source.text, urls.segmentBaseUrl, urls.mediaPlaylistUrl('r'), urls.keyUrl('k'), urls.steeringUrl ?? ''])}`;
      // The shared cache is an optimisation: when it fails, the template is rendered here.
      const hit = await shared.cache.match(key).catch(() => undefined);
      const text = hit ? await hit.text().catch(() => undefined) : undefined;
      if (text !== undefined && !local(source, templateKey)) {
        store(source, templateKey, text.split(PLACEHOLDER));
        return 'shared';
      }
      const parts = local(source, templateKey) ?? partsOf(source, urls);
      store(source, templateKey, parts);
      const body = new Response(parts.join(PLACEHOLDER), {
        headers: { 'cache-control': `public, max-age=${shared.ttlSeconds}` },
      });
      await shared.cache.put(key, body).catch(() => undefined);
      return 'rendered';
    },
  };
}
