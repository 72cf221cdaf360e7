/**
 * @module AdDecisionClient over VAST through undici: allow-listed hosts only (SSRF), a timeout per
 * request, a total budget across the wrapper chain, bounded bodies, and outcomes instead of throws.
 */
import { Agent, request } from 'undici';
import type { AvailContext, VastAd, VastCreative, VastParser } from './vast.ts';

/** An ad after wrapper resolution: its linear creative plus every beacon collected on the way. */
export interface ResolvedAd {
  adId: string;
  sequence: number | undefined;
  creative: VastCreative;
  impressions: string[];
  tracking: Array<{ event: string; url: string }>;
}

/** How an ADS request ended. */
export type AdRequestOutcome = 'filled' | 'empty' | 'timeout' | 'error' | 'blocked';

/** The result of one ADS request; never a throw. */
export interface AdRequestResult {
  outcome: AdRequestOutcome;
  ads: ResolvedAd[];
  /** Why it was not filled (for logs). */
  detail?: string;
}

/** Requests ads for one break: the seam between decisions and the wire. */
export interface AdDecisionClient {
  /** Fetches and resolves a VAST (or VMAP) URL within `budgetMs`; `avail` selects a VMAP answer's break. */
  requestAds(url: string, options: { budgetMs: number; avail?: AvailContext }): Promise<AdRequestResult>;
}

/** Options for {@link createVastClient}. */
export interface VastClientOptions {
  /** `host[:port]` values (lowercase) that may be fetched; anything else is `blocked`. */
  allowedHosts: string[];
  /** Per-request timeout, in ms. */
  requestTimeoutMs: number;
  /** Deepest wrapper chain followed. */
  maxWrapperDepth: number;
  /** VAST parser (manifest-core's parseVast through vast-parser.ts). */
  parse: VastParser;
  /** Largest VAST body read, in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Now, in ms. */
  nowMs?: () => number;
}

class AdFetchError extends Error {
  constructor(
    readonly kind: 'timeout' | 'error' | 'blocked',
    message: string,
  ) {
    super(message);
  }
}

function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | null;
  return (
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    e?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e?.code === 'UND_ERR_BODY_TIMEOUT' ||
    e?.code === 'UND_ERR_CONNECT_TIMEOUT' ||
    e?.code === 'UND_ERR_ABORTED'
  );
}

/** Creates the VAST client with its own keep-alive undici Agent. */
export function createVastClient(options: VastClientOptions): AdDecisionClient & { close(): Promise<void> } {
  const now = options.nowMs ?? Date.now;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const agent = new Agent({ keepAliveTimeout: 10_000, connect: { timeout: options.requestTimeoutMs } });

  const fetchXml = async (url: string, deadlineMs: number): Promise<string> => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AdFetchError('error', `bad ADS URL ${url}`);
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !allowed.has(parsed.host.toLowerCase())) {
      throw new AdFetchError('blocked', `ADS host ${parsed.host} is not on the allow-list`);
    }
    const timeoutMs = Math.min(options.requestTimeoutMs, deadlineMs - now());
    if (timeoutMs <= 0) throw new AdFetchError('timeout', 'ADS budget exhausted');
    try {
      const response = await request(parsed, {
        method: 'GET',
        dispatcher: agent,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers: { accept: 'application/xml, text/xml' },
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new AdFetchError('error', `ADS answered ${response.statusCode}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          response.body.destroy();
          throw new AdFetchError('error', `VAST larger than ${maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (error instanceof AdFetchError) throw error;
      if (isTimeout(error)) throw new AdFetchError('timeout', `ADS request timed out after ${timeoutMs} ms`);
      throw new AdFetchError('error', `ADS request failed: ${(error as Error).message}`);
    }
  };

  const resolve = async (
    url: string,
    depth: number,
    deadlineMs: number,
    inherited: Pick<ResolvedAd, 'impressions' | 'tracking'>,
    failures: AdFetchError[],
    avail: AvailContext | undefined,
  ): Promise<ResolvedAd[]> => {
    const xml = await fetchXml(url, deadlineMs);
    let ads: VastAd[];
    try {
      ads = options.parse(xml, avail);
    } catch (error) {
      throw new AdFetchError('error', `bad VAST: ${(error as Error).message}`);
    }
    const resolved = await Promise.all(
      ads.map(async (ad): Promise<ResolvedAd[]> => {
        const impressions = [...inherited.impressions, ...ad.impressions];
        const tracking = [...inherited.tracking, ...ad.tracking];
        if (ad.wrapperUrl !== undefined) {
          if (depth >= options.maxWrapperDepth) {
            failures.push(new AdFetchError('error', 'VAST wrapper chain too deep'));
            return [];
          }
          try {
            return await resolve(ad.wrapperUrl, depth + 1, deadlineMs, { impressions, tracking }, failures, avail);
          } catch (error) {
            failures.push(error instanceof AdFetchError ? error : new AdFetchError('error', String(error)));
            return [];
          }
        }
        const creative = ad.creatives.find((c) => c.mediaFiles.length > 0 && c.durationSeconds > 0);
        if (!creative) return [];
        return [
          { adId: ad.id, sequence: ad.sequence, creative, impressions, tracking: [...tracking, ...creative.tracking] },
        ];
      }),
    );
    return resolved.flat().sort((a, b) => (a.sequence ?? Infinity) - (b.sequence ?? Infinity));
  };

  return {
    async requestAds(url, { budgetMs, avail }) {
      const failures: AdFetchError[] = [];
      try {
        const ads = await resolve(url, 0, now() + budgetMs, { impressions: [], tracking: [] }, failures, avail);
        if (ads.length > 0) return { outcome: 'filled', ads };
        const timedOut = failures.find((f) => f.kind === 'timeout');
        if (timedOut) return { outcome: 'timeout', ads: [], detail: timedOut.message };
        if (failures[0])
          return {
            outcome: failures[0].kind === 'blocked' ? 'blocked' : 'error',
            ads: [],
            detail: failures[0].message,
          };
        return { outcome: 'empty', ads: [] };
      } catch (error) {
        const e = error instanceof AdFetchError ? error : new AdFetchError('error', String(error));
        return { outcome: e.kind, ads: [], detail: e.message };
      }
    },
    close: () => agent.close(),
  };
}
