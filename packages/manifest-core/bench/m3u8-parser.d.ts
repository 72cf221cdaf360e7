/** @module The small part of m3u8-parser's API the benchmarks use (the package ships no types). */
declare module 'm3u8-parser' {
  /** videojs/m3u8-parser's streaming parser: push text, end, read `manifest`. */
  export class Parser {
    push(chunk: string): void;
    end(): void;
    manifest: unknown;
  }
}
