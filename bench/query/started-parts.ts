/**
 * What a bench has started so far (servers, proxies, clients), each with its stop, stopped newest first. Once
 * closed, a part that finishes starting late is stopped at once: a start-up interrupted half-way leaves nothing
 * running whatever step it was in.
 */
export class StartedParts {
  private readonly stops: (() => Promise<void> | void)[] = [];
  private closed = false;

  /** Keeps `stop` for stopAll; when already closed, stops the part now and throws `closedError`. */
  async add(stop: () => Promise<void> | void, closedError: () => unknown): Promise<void> {
    if (this.closed) {
      await stop();
      throw closedError();
    }
    this.stops.push(stop);
  }

  /** Stops every part added so far, newest first; a failing stop does not keep the others running. */
  async stopAll(): Promise<unknown[]> {
    this.closed = true;
    const failures: unknown[] = [];
    for (let stop = this.stops.pop(); stop; stop = this.stops.pop()) {
      try {
        await stop();
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }
}
