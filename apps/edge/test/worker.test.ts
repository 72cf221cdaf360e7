import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';

const scriptPath = fileURLToPath(new URL('../dist/worker.js', import.meta.url));

describe('edge bundle in workerd', () => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = new Miniflare({ modules: true, scriptPath, compatibilityDate: '2025-09-01' });
    await mf.ready;
  });
  afterAll(async () => {
    await mf.dispose();
  });

  it('answers a request from inside workerd', async () => {
    const res = await mf.dispatchFetch('http://edge.test/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('meridian');
  });
});
