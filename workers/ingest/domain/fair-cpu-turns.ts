/** Queues `run` to be called later, after pending IO (the server passes setImmediate). */
export type ScheduleTurn = (run: () => void) => void;

/**
 * Work done in slices between turns: it yields the body bytes its next slice covers BEFORE doing that slice (so the
 * first `next()` does no work), and returns its result after the last one. A neighbour then waits for at most one
 * slice of another tenant's batch, not the whole batch (docs/adr/0107).
 */
export type SlicedWork<T> = Generator<number, T, void>;

/** Runs sliced work to its end at once (no turns: GRAVIX_TENANT_TURN_BYTES=0, or a caller outside the server). */
export function runToEnd<T>(work: SlicedWork<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Sliced work of one slice: `work()` whole, charged `bytes`. */
export function* oneSlice<T>(bytes: number, work: () => T): SlicedWork<T> {
  yield bytes;
  return work();
}

interface Job {
  /** Bytes of the job's next slice: its tenant's credit must cover them before it runs. */
  bytes: number;
  /** Runs the next slice; true when the job is over (settled). */
  step: () => boolean;
}

interface TenantLine {
  jobs: Job[];
  /** Bytes this tenant may still spend before its next batch waits for another turn (deficit round robin). */
  credit: number;
}

/**
 * Turns at the event loop's CPU between tenants (issue #17.5, docs/adr/0100). Parsing, validating and encoding a
 * batch is synchronous: run as each body arrives, a neighbour's one-fact batch waits behind every abuser batch
 * whose body arrived in the same IO poll. Here each body read is queued in its tenant's line and the lines are
 * served in turns, one tenant per turn, with a yield to the event loop (`schedule`, setImmediate) between turns,
 * so pending IO (a neighbour's request being read, a group commit finishing) runs between any two tenants' work.
 * A turn may spend `turnBytes` of body (deficit round robin: credit carries over while the tenant's line is not
 * empty, so a batch larger than the budget runs once its tenant has waited enough turns, whole, since a body is
 * parsed in one go). A tenant with a small batch therefore waits for at most one turn of each other tenant with
 * work, whatever their batch sizes and connection counts. Work given in slices (`runSliced`, SlicedWork) is
 * charged and run slice by slice, each slice only when the credit covers it, so a batch larger than a turn is spread
 * over several turns with the other tenants' turns between (docs/adr/0107). No IO, no clock.
 */
export class FairCpuTurns {
  private readonly lines = new Map<string, TenantLine>();
  /** Tenants with queued work, in turn order (the head is served next). */
  private readonly ring: string[] = [];
  private scheduled = false;

  /**
   * The body bytes a slice of sliced work should cover: a quarter of a turn, so a turn runs a few slices and a
   * slice's overshoot (it ends at an item's end) stays small against the turn.
   */
  readonly sliceBytes: number;

  constructor(
    readonly turnBytes: number,
    private readonly schedule: ScheduleTurn,
  ) {
    if (!Number.isSafeInteger(turnBytes) || turnBytes < 1)
      throw new RangeError(`turnBytes must be an integer of at least 1, got ${turnBytes}`);
    this.sliceBytes = Math.max(1, Math.floor(turnBytes / 4));
  }

  /**
   * Runs `work` (synchronous CPU for `bytes` of the tenant's body) in one of the tenant's turns; settles with its
   * result or its error. Batches of one tenant run in the order they were queued.
   */
  run<T>(tenant: string, bytes: number, work: () => T): Promise<T> {
    return this.runSliced(tenant, oneSlice(bytes, work));
  }

  /**
   * Runs sliced work in the tenant's turns, each slice once the tenant's credit covers it; settles with its result
   * or the first error a slice throws. A tenant's jobs run in the order they were queued, one finished before the
   * next starts.
   */
  runSliced<T>(tenant: string, work: SlicedWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The work's first next() only announces its first slice's bytes.
      const first = work.next();
      if (first.done) return resolve(first.value);
      const job: Job = {
        bytes: Math.max(0, first.value),
        step: () => {
          try {
            const next = work.next();
            if (next.done) resolve(next.value);
            else job.bytes = Math.max(0, next.value);
            return next.done === true;
          } catch (error) {
            reject(error as Error);
            return true;
          }
        },
      };
      let line = this.lines.get(tenant);
      if (!line) {
        line = { jobs: [], credit: 0 };
        this.lines.set(tenant, line);
        this.ring.push(tenant);
      }
      line.jobs.push(job);
      this.wake();
    });
  }

  /** Tenants with work queued and the batches queued in all (for tests and the bench). */
  queued(): { tenants: number; batches: number } {
    let batches = 0;
    for (const line of this.lines.values()) batches += line.jobs.length;
    return { tenants: this.lines.size, batches };
  }

  private wake(): void {
    if (this.scheduled || this.ring.length === 0) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.turn();
      this.wake();
    });
  }

  /** Serves the head tenant: its slices while its credit covers them, then it goes to the back of the ring. */
  private turn(): void {
    const tenant = this.ring.shift();
    if (tenant === undefined) return;
    const line = this.lines.get(tenant)!;
    line.credit += this.turnBytes;
    while (line.jobs.length > 0 && line.jobs[0]!.bytes <= line.credit) {
      const job = line.jobs[0]!;
      line.credit -= job.bytes;
      if (job.step()) line.jobs.shift();
    }
    if (line.jobs.length === 0) this.lines.delete(tenant);
    else this.ring.push(tenant);
  }
}
