/** @module ADS URL templates: MediaTailor-style `[session.id]`, `[player_params.x]`, `[avail.duration]` … macros, URL-encoded. */

/** Values available to an ADS URL template for one break. */
export interface TemplateValues {
  sessionId: string;
  /** `ads.*` parameters given at session start (without the prefix). */
  playerParams: Record<string, string>;
  availIndex: number;
  availDurationSeconds: number;
  /** A per-session, per-break pseudo-random integer (cache buster that stays stable on retries). */
  availRandom: number;
  assetId: string;
  country: string | undefined;
  nowMs: number;
}

/**
 * Fills `[name]` macros in `template`; each value is URL-encoded, and unknown macros
 * become empty (as MediaTailor does). Supported: session.id, player_params.<k>,
 * avail.index, avail.duration, avail.random, asset.id, viewer.country, timestamp.
 */
export function fillAdsTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\[([A-Za-z0-9_.-]+)\]/g, (_, name: string) => {
    let value: string | undefined;
    if (name.startsWith('player_params.')) value = values.playerParams[name.slice('player_params.'.length)];
    else {
      switch (name) {
        case 'session.id':
          value = values.sessionId;
          break;
        case 'avail.index':
          value = String(values.availIndex);
          break;
        case 'avail.duration':
          value = String(values.availDurationSeconds);
          break;
        case 'avail.random':
          value = String(values.availRandom);
          break;
        case 'asset.id':
          value = values.assetId;
          break;
        case 'viewer.country':
          value = values.country;
          break;
        case 'timestamp':
          value = String(values.nowMs);
          break;
      }
    }
    return encodeURIComponent(value ?? '');
  });
}
