/** @module Unit tests of AES-128 helpers and the key stores (Valkey on a real redis-server). */
import { createDecipheriv } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis } from '@meridian/testkit';
import { describe, expect, it } from 'vitest';
import { addKeyTag, createMemoryKeyStore, createValkeyKeyStore, encryptSegment, generateContentKey } from './keys.ts';

describe('AES-128 segments', () => {
  it('encrypts whole segments with CBC + PKCS#7 so a player holding the key and IV gets the bytes back', () => {
    const key = generateContentKey();
    expect(key.keyId).toMatch(/^[0-9a-f]{32}$/);
    const plain = Buffer.from('G'.repeat(188 * 3));
    const enc = encryptSegment(plain, key);
    expect(enc.length).toBe(188 * 3 + 12); // padded to a 16-byte block
    const d = createDecipheriv('aes-128-cbc', key.key, key.iv);
    expect(Buffer.concat([d.update(enc), d.final()])).toEqual(plain);
  });

  it('puts EXT-X-KEY after EXT-X-MAP (clear init segment) and before the first segment, with the URI template', () => {
    const key = { keyId: 'abc', key: new Uint8Array(16), iv: new Uint8Array(16).fill(1) };
    const out = addKeyTag(
      '#EXTM3U\n#EXT-X-MAP:URI="init_0.mp4"\n#EXTINF:6.0,\nseg_00000.m4s\n#EXT-X-ENDLIST\n',
      key,
      'https://keys.example/{keyId}',
    );
    expect(out).toBe(
      '#EXTM3U\n#EXT-X-MAP:URI="init_0.mp4"\n#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/abc",IV=0x01010101010101010101010101010101\n#EXTINF:6.0,\nseg_00000.m4s\n#EXT-X-ENDLIST\n',
    );
  });
});

describe('key stores', () => {
  it('round-trips raw key bytes in memory and in Valkey', async () => {
    const server = await startRedis();
    const redis = new Redis(server.url);
    try {
      const key = Uint8Array.from([0, 255, 13, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      for (const store of [createMemoryKeyStore(), createValkeyKeyStore(redis, { prefix: 'k:' })]) {
        await store.put('id1', key);
        expect(await store.get('id1')).toEqual(key);
        expect(await store.get('missing')).toBeUndefined();
      }
      expect((await redis.getBuffer('k:id1'))?.length).toBe(16);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});
