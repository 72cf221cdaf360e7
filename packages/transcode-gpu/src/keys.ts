/**
 * @module AES-128 segment encryption: key generation, whole-segment AES-128-CBC (RFC 8216
 * §5.2), and the KeyStore the regional origin serves keys from. Keys never touch the output.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { TranscodeError } from './errors.ts';

/** Where content keys live; the regional origin reads them back to serve `/v1/keys/<keyId>`. */
export interface KeyStore {
  /** Stores a 16-byte key under its id. */
  put(keyId: string, key: Uint8Array): Promise<void>;
  /** The key for an id, or undefined when unknown. */
  get(keyId: string): Promise<Uint8Array | undefined>;
}

/** A process-local KeyStore (tests, single-process tools). */
export function createMemoryKeyStore(): KeyStore {
  const keys = new Map<string, Uint8Array>();
  return {
    put: async (keyId, key) => void keys.set(keyId, Uint8Array.from(key)),
    get: async (keyId) => {
      const k = keys.get(keyId);
      return k ? Uint8Array.from(k) : undefined;
    },
  };
}

/** Options for {@link createValkeyKeyStore}. */
export interface ValkeyKeyStoreOptions {
  /** Key prefix; default `meridian:keys:`. The stored value is the raw 16 bytes. */
  prefix?: string;
}

/** A KeyStore on Valkey/Redis (standalone or Cluster): one string per key at `<prefix><keyId>`. */
export function createValkeyKeyStore(redis: Redis | Cluster, options: ValkeyKeyStoreOptions = {}): KeyStore {
  const prefix = options.prefix ?? 'meridian:keys:';
  return {
    put: async (keyId, key) => {
      try {
        await redis.set(`${prefix}${keyId}`, Buffer.from(key));
      } catch (cause) {
        throw new TranscodeError('KEY_STORE_FAILED', `cannot store key ${keyId}`, { cause });
      }
    },
    get: async (keyId) => {
      const value = await redis.getBuffer(`${prefix}${keyId}`);
      return value ? new Uint8Array(value) : undefined;
    },
  };
}

/** Default key URI template written into EXT-X-KEY; servers rewrite or serve it. */
export const DEFAULT_KEY_URI_TEMPLATE = '/v1/keys/{keyId}';

/** A freshly generated content key. */
export interface ContentKey {
  /** 32 hex characters, random. */
  keyId: string;
  key: Uint8Array;
  /** 16-byte IV, written explicitly into EXT-X-KEY. */
  iv: Uint8Array;
}

/** Generates a random key id, 128-bit key and IV. */
export function generateContentKey(): ContentKey {
  return {
    keyId: randomBytes(16).toString('hex'),
    key: new Uint8Array(randomBytes(16)),
    iv: new Uint8Array(randomBytes(16)),
  };
}

/** Encrypts one whole segment with AES-128-CBC and PKCS#7 padding (RFC 8216 §5.2). */
export function encryptSegment(plain: Uint8Array, key: ContentKey): Buffer {
  const cipher = createCipheriv('aes-128-cbc', key.key, key.iv);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

/** The IV as EXT-X-KEY writes it and asset.json records it: `0x` + 32 hex digits (RFC 8216 §4.3.2.4). */
export function formatKeyIv(iv: Uint8Array): string {
  return `0x${Buffer.from(iv).toString('hex')}`;
}

/**
 * Inserts EXT-X-KEY into a media playlist just before the first segment, so the init
 * segment (EXT-X-MAP, above it) stays clear and every media segment is AES-128
 * (RFC 8216 §4.3.2.4: a key applies to the maps and segments that follow it).
 */
export function addKeyTag(playlist: string, key: ContentKey, uriTemplate = DEFAULT_KEY_URI_TEMPLATE): string {
  const uri = uriTemplate.replace('{keyId}', key.keyId);
  const tag = `#EXT-X-KEY:METHOD=AES-128,URI="${uri}",IV=${formatKeyIv(key.iv)}`;
  const lines = playlist.split('\n');
  const first = lines.findIndex((l) => l.startsWith('#EXTINF:'));
  if (first < 0) throw new TranscodeError('OUTPUT_INVALID', 'cannot add EXT-X-KEY: the playlist has no segments');
  lines.splice(first, 0, tag);
  return lines.join('\n');
}
