/** @module The small part of @eyevinn/hls-splice's API the SSAI benchmark uses (the package ships no types). */
declare module '@eyevinn/hls-splice' {
  import type { Readable } from 'node:stream';
  /** Eyevinn's VOD splicer: load a multivariant playlist, insert ads at offsets, read a media playlist. */
  export default class HLSSpliceVod {
    constructor(uri: string, options?: { merge?: boolean; absoluteUrls?: boolean });
    load(injectMaster?: () => Readable, injectMedia?: (bw: string) => Readable): Promise<void>;
    insertAdAt(
      offsetMs: number,
      adMasterUri: string,
      injectAdMaster?: () => Readable,
      injectAdMedia?: (bw: string) => Readable,
    ): Promise<void>;
    getMediaManifest(bw: number | string): string;
  }
}
