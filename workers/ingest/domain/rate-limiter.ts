export interface RateLimit {
  /** Items per second refilled. */
  perSecond: number;
  /** Bucket size: the largest burst allowed. */
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
  /** The key's last take was refused: it sends past its rate now (overRate). */
  refused: boolean;
}

/** Token bucket per key; a request costs one token per item, so batching is not penalised. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string, cost: number): RateDecision {
    const bucket = this.refilled(key);
    bucket.refused = cost > bucket.tokens;
    if (!bucket.refused) {
      bucket.tokens -= cost;
      return { allowed: true };
    }
    return this.refusal(bucket.tokens, cost);
  }

  /**
   * Whether the key's last take was refused (and none admitted since). Checks made before a batch's take
   * (`check`) run earlier than the take would, with less refilled: a client at exactly its rate whose batch
   * starts while its bucket is short, and would be admitted by the take at its end, must not be refused by them.
   * So they apply only to a key already shown to be over its rate (docs/adr/0126).
   */
  overRate(key: string): boolean {
    return this.buckets.get(key)?.refused ?? false;
  }

  /**
   * What `take(key, cost)` would answer now, taking nothing: a batch is checked against what it holds so far
   * (a lower bound of its items) before it is read or scanned to its end (docs/adr/0119).
   */
  check(key: string, cost: number): RateDecision {
    const bucket = this.refilled(key);
    return cost <= bucket.tokens ? { allowed: true } : this.refusal(bucket.tokens, cost);
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now, refused: false };
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond,
    );
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  private refusal(tokens: number, cost: number): RateDecision {
    const deficit = Math.min(cost, this.limit.burst) - tokens;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(deficit / this.limit.perSecond)) };
  }
}
