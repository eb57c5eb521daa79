import type { QueryEngine } from '../app/query-engine.js';
import type { ResultCachingEngine } from '../app/result-cache.js';

/**
 * The result cache answering from the closed ranges it keeps: each metrics call is asked once (a first view, which
 * the engine answers whole while the cache loads the closed range after it, docs/adr/0148), then again once that
 * load is kept, and the second answer is returned. A contract run through it checks the cache's merge of kept and
 * fresh groups and its ranking, not the engine's own first answer. An error of the first call is the answer.
 */
export function answeredFromKeptRanges(cache: ResultCachingEngine): QueryEngine {
  const twice =
    <Q, R>(ask: (query: Q) => Promise<R>) =>
    async (query: Q): Promise<R> => {
      await ask(query);
      await cache.settled();
      return ask(query);
    };
  return {
    get prefersOneStatement() {
      return cache.prefersOneStatement;
    },
    counts: twice((q) => cache.counts(q)),
    summaries: twice((q) => cache.summaries(q)),
    histograms: twice((q) => cache.histograms(q)),
    exemplars: twice((q) => cache.exemplars(q)),
    events: (q) => cache.events(q),
    lastMetricMinute: (tenant, now, lookbackMs, signal) =>
      cache.lastMetricMinute(tenant, now, lookbackMs, signal),
    ping: (signal) => cache.ping(signal),
    close: () => cache.close(),
  };
}
