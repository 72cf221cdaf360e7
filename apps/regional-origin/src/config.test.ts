/** @module Tests of configuration loading: defaults, flags over environment, and every problem reported at once. */
import { describe, expect, it } from 'vitest';
import { ConfigError, flagsToEnv, loadConfig } from './config.ts';

const base = { SIGNING_KEYS: 'k1:0123456789abcdef0123', ORIGIN_URLS: 'http://127.0.0.1:9000,http://127.0.0.1:9001/' };

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      role: 'all',
      zone: 'local',
      publicBaseUrl: 'http://127.0.0.1:8080',
      sessionTtlSeconds: 14_400,
    });
    expect(c.originUrls).toEqual(['http://127.0.0.1:9000', 'http://127.0.0.1:9001']);
    expect(c.uploads.partSizeBytes).toBe(100 * 1024 * 1024);
    expect(c.ads).toMatchObject({ requestTimeoutMs: 3_000, fallback: 'slate', urlTemplate: undefined });
    expect(c.metadataL2TtlSeconds).toBe(600);
    expect(c.countryHeader).toBe('cloudfront-viewer-country');
    expect(c.keyring).toEqual({ activeKid: 'k1', keys: { k1: '0123456789abcdef0123' } });
  });

  it('lets flags win over the environment', () => {
    expect(flagsToEnv(['--port', '9', '--valkey-url=redis://x:1', '--require-signed-urls'])).toEqual({
      PORT: '9',
      VALKEY_URL: 'redis://x:1',
      REQUIRE_SIGNED_URLS: 'true',
    });
    expect(loadConfig({ ...base, PORT: '1000' }, ['--port=2000']).port).toBe(2000);
  });

  it('reads Valkey Cluster nodes and a rotated keyring', () => {
    const c = loadConfig({
      ...base,
      VALKEY_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001',
      SIGNING_KEYS: 'old:0123456789abcdef0123,new:fedcba9876543210fedc',
      SIGNING_ACTIVE_KID: 'new',
    });
    expect(c.valkey.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(c.keyring.activeKid).toBe('new');
    expect(Object.keys(c.keyring.keys)).toEqual(['old', 'new']);
  });

  it('adds the ADS template host to the allow-list', () => {
    const c = loadConfig({
      ...base,
      ADS_URL_TEMPLATE: 'https://ads.example.com/vast?sid=[session.id]',
      SLATE_URL: 'https://cdn.example.com/slate.m3u8',
      ADS_ALLOWED_HOSTS: 'Wrapper.Example:8443',
    });
    expect(c.ads.allowedHosts.sort()).toEqual(['ads.example.com', 'wrapper.example:8443']);
  });

  it('reports every problem in one ConfigError', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '70000',
        ROLE: 'x',
        VALKEY_URL: 'http://nope',
        ADS_FALLBACK: 'silence',
        UPLOAD_PART_SIZE_BYTES: '10',
        VALKEY_CLUSTER_NODES: 'bad',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'PORT=70000',
      'ROLE=x',
      'VALKEY_URL=http://nope',
      'ADS_FALLBACK=silence',
      'UPLOAD_PART_SIZE_BYTES=10',
      'VALKEY_CLUSTER_NODES',
      'SIGNING_KEYS is required',
      'ORIGIN_URLS is required',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('does not need origins for the upload role, and needs SLATE_URL when ads fall back to slate', () => {
    expect(loadConfig({ SIGNING_KEYS: base.SIGNING_KEYS, ROLE: 'upload' }).role).toBe('upload');
    expect(() => loadConfig({ ...base, ADS_URL_TEMPLATE: 'http://ads.example/vast' })).toThrow(/SLATE_URL is required/);
  });
});
