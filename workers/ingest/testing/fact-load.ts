/**
 * Clients that POST fact batches and record what was acknowledged (a 2xx). Every event id is sent exactly once,
 * in one request, and never retried: an id that shows up in the store more than once was duplicated by the
 * pipeline, and an acknowledged id that is missing was lost by it.
 */
export class FactLoad {
  /** Valid facts of acknowledged requests. */
  readonly acked = new Set<string>();
  /** Items of acknowledged requests that the ingester rejected (they must reach the dead-letter layer). */
  readonly ackedRejected = new Set<string>();
  requests = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private batch = 0;
  /** Prefixed to the ids sent from now on (the fault trials tag each cycle, to tell where a lost id came from). */
  tag = '';

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly random: () => number,
    private readonly prefix: string,
  ) {}

  /** Starts `clients` loops that send batches back to back until stop(). */
  start(clients: number): void {
    this.stopped = false;
    for (let c = 0; c < clients; c++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Load for `ms` milliseconds, then stop and wait for the requests in flight. */
  async burst(clients: number, ms: number): Promise<void> {
    this.start(clients);
    await new Promise((r) => setTimeout(r, ms));
    await this.stop();
  }

  private async loop(): Promise<void> {
    // A short pause between requests keeps the volume (and the upload backlog) small enough for quick cycles.
    while (!this.stopped) {
      const acknowledged = await this.send();
      await new Promise((r) => setTimeout(r, acknowledged ? 4 : 25));
    }
  }

  /** One batch: 1-30 facts over two hour partitions, sometimes one invalid item. Returns whether it was a 2xx. */
  private async send(): Promise<boolean> {
    const batch = `${this.prefix}-${this.tag}b${this.batch++}`;
    const now = Date.now();
    const size = 1 + Math.floor(this.random() * 30);
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < size; i++) {
      items.push({
        event_id: `${batch}-${i}`,
        timestamp: i % 3 === 0 ? now - 3_600_000 : now - 1000,
        service: i % 2 === 0 ? 'checkout' : 'search',
        method: 'GET',
        path: `/orders/${i % 7}`,
        status_code: i % 10 === 0 ? 503 : 200,
        latency_ms: 1 + Math.floor(this.random() * 400),
      });
    }
    if (this.random() < 0.15)
      items.push({ event_id: `${batch}-bad`, timestamp: now, service: 'checkout', status_code: 999 });
    this.requests += 1;
    let answer: { status: number; body: { rejected?: { index: number }[] } };
    try {
      const res = await fetch(`${this.url}/api/v1/facts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(items),
      });
      answer = { status: res.status, body: (await res.json()) as { rejected?: { index: number }[] } };
    } catch {
      return false; // killed mid-request, or not listening: not acknowledged
    }
    if (answer.status < 200 || answer.status > 299) return false;
    const rejected = new Set((answer.body.rejected ?? []).map((r) => r.index));
    items.forEach((item, index) =>
      (rejected.has(index) ? this.ackedRejected : this.acked).add(item['event_id'] as string),
    );
    return true;
  }
}
