/**
 * @module Content keys come from transcode-gpu's KeyStore (Valkey-backed in production, in
 * memory for the demo); this module only re-exports the pieces the app uses.
 */
export { createMemoryKeyStore, createValkeyKeyStore } from '@meridian/transcode-gpu';
export type { KeyStore } from '@meridian/transcode-gpu';
