/**
 * @module Destinations: the primary store plus replicas. Each rendition is written whole to
 * the first `copies` healthy stores in order; a store that errors or times out is marked down
 * for the rest of the job and the next one (secondary, then tertiary) takes its place.
 */
import { TranscodeError } from './errors.ts';
import { metaFor, type ObjectStore } from './storage.ts';

/** One object to write: bytes or a local file. */
export interface OutputFile {
  key: string;
  body: Uint8Array | string | { path: string };
}

/** The completion marker written last in each rendition folder (`<name>/_complete.json`). */
export interface CompletionMarker {
  version: 1;
  rendition: string;
  /** Every object of the rendition except the marker, with its size and SHA-256. */
  files: Array<{ key: string; bytes: number; sha256: string }>;
  /** Measured facts about the rendition, so a resumed job can rebuild master.m3u8 without re-reading it. */
  info: Record<string, unknown>;
}

/** Key of the completion marker of a rendition folder. */
export function markerKey(rendition: string): string {
  return `${rendition}/_complete.json`;
}

/** Options for {@link createDestinations}. */
export interface DestinationsOptions {
  /** How many stores each rendition must land on; default all of them. */
  copies?: number;
  /** Parallel PUTs within one phase; default 4. */
  concurrency?: number;
  /** Told when a store is given up on for this job. */
  onDown?: (url: string, reason: string) => void;
}

/** The stores of one job and their health. */
export interface Destinations {
  readonly stores: readonly ObjectStore[];
  /** Number of successful PUTs so far (a finished job re-run must leave this at zero). */
  readonly uploads: number;
  /** URLs of stores marked down, with the reason. */
  readonly down: ReadonlyMap<string, string>;
  /** How many healthy copies a rendition needs now: min(copies, healthy stores). */
  copiesNeeded(): number;
  /**
   * Writes phases in order to each chosen store (segments, then the playlist, then the
   * marker); returns the URLs that now hold all of it. Throws STORAGE_FAILED when none does.
   */
  write(phases: ReadonlyArray<readonly OutputFile[]>, what: string): Promise<string[]>;
  /** Stores (URLs) whose marker for `rendition` exists and whose files all have the recorded sizes. */
  findComplete(rendition: string): Promise<{ marker: CompletionMarker; urls: string[] } | undefined>;
  /** Reads `key` from the first healthy store that has it. */
  read(key: string): Promise<Uint8Array | undefined>;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/** Wraps the ordered stores (primary first) of one job. */
export function createDestinations(stores: readonly ObjectStore[], options: DestinationsOptions = {}): Destinations {
  if (stores.length === 0) throw new TranscodeError('INVALID_OPTIONS', 'at least one output is needed');
  const copies = Math.max(1, Math.min(options.copies ?? stores.length, stores.length));
  const concurrency = options.concurrency ?? 4;
  const down = new Map<string, string>();
  let uploads = 0;
  const healthy = (): ObjectStore[] => stores.filter((s) => !down.has(s.url));
  const markDown = (store: ObjectStore, err: unknown): void => {
    if (down.has(store.url)) return;
    const reason = (err as Error)?.message ?? String(err);
    down.set(store.url, reason);
    options.onDown?.(store.url, reason);
  };

  return {
    stores,
    get uploads() {
      return uploads;
    },
    down,
    copiesNeeded: () => Math.min(copies, healthy().length),
    async write(phases, what) {
      const urls: string[] = [];
      for (const store of stores) {
        if (urls.length >= copies) break;
        if (down.has(store.url)) continue;
        try {
          for (const phase of phases) {
            await mapLimit(phase, concurrency, async (f) => {
              await store.put(f.key, f.body, metaFor(f.key));
              uploads++;
            });
          }
          urls.push(store.url);
        } catch (err) {
          markDown(store, err);
        }
      }
      if (urls.length === 0)
        throw new TranscodeError(
          'STORAGE_FAILED',
          `cannot write ${what} to any destination: ${[...down].map(([u, r]) => `${u}: ${r}`).join('; ')}`,
        );
      return urls;
    },
    async findComplete(rendition) {
      let found: CompletionMarker | undefined;
      const urls: string[] = [];
      for (const store of healthy()) {
        try {
          const bytes = await store.get(markerKey(rendition));
          if (!bytes) continue;
          const marker = JSON.parse(new TextDecoder().decode(bytes)) as CompletionMarker;
          if (marker.version !== 1 || !Array.isArray(marker.files)) continue;
          let ok = true;
          // HEADs in parallel: a long VOD has thousands of segments per rendition.
          await mapLimit(marker.files, 8, async (f) => {
            if (ok && (await store.size(f.key)) !== f.bytes) ok = false;
          });
          if (ok) {
            found ??= marker;
            urls.push(store.url);
          }
        } catch (err) {
          markDown(store, err);
        }
      }
      const need = Math.min(copies, healthy().length);
      return found && urls.length >= Math.max(1, need) ? { marker: found, urls } : undefined;
    },
    async read(key) {
      for (const store of healthy()) {
        try {
          const bytes = await store.get(key);
          if (bytes) return bytes;
        } catch (err) {
          markDown(store, err);
        }
      }
      return undefined;
    },
  };
}
