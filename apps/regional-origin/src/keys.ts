/**
 * @module KeyStore seam for AES-128 content keys. transcode-gpu owns the key store
 * (`createValkeyKeyStore` / `createMemoryKeyStore`); until it is exported this app uses the
 * same shape with an in-memory version and an INTERIM Valkey reader.
 */
import type { ValkeyClient } from './valkey.ts';

/** Reads 16-byte AES-128 keys by key id. */
export interface KeyStore {
  /** The key bytes, or undefined when unknown. */
  getKey(keyId: string): Promise<Uint8Array | undefined>;
}

/** An in-memory key store (demo and tests). */
export function createMemoryKeyStore(initial: Record<string, Uint8Array> = {}): KeyStore & { put(keyId: string, key: Uint8Array): void } {
  const keys = new Map(Object.entries(initial));
  return {
    async getKey(keyId) {
      return keys.get(keyId);
    },
    put(keyId, key) {
      keys.set(keyId, key);
    },
  };
}

/**
 * INTERIM — replace with transcode-gpu's `createValkeyKeyStore`. Reads `<prefix>key:<keyId>`
 * holding the key as 32 hex characters.
 */
export function createValkeyKeyStoreInterim(client: ValkeyClient, keyPrefix: string): KeyStore {
  return {
    async getKey(keyId) {
      const hex = await client.get(`${keyPrefix}key:${keyId}`);
      if (!hex || !/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
      return Uint8Array.from(Buffer.from(hex, 'hex'));
    },
  };
}
