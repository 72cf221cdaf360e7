/** @module The slice of autocannon's API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    /** Summary statistics autocannon reports per measure. */
    interface Histogram {
      average: number;
      p50: number;
      p99: number;
    }
    /** One benchmark run's result. */
    interface Result {
      requests: Histogram;
      latency: Histogram;
      non2xx: number;
    }
    /** Options of one run. */
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      requests?: Array<{ method?: string; path: string }>;
    }
  }
  /** Runs a load test and calls back with its result. */
  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): unknown;
  export default autocannon;
}
