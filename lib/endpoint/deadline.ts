/** The response window ComplyCube allows: it retries any delivery not answered 2xx within 15 s. */
export const COMPLYCUBE_RESPONSE_WINDOW_MS = 15_000;

export const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;

export const DEADLINE_PASSED: unique symbol = Symbol('deadline passed');

/**
 * Resolves with `work`'s value, or with DEADLINE_PASSED after `ms`, whichever comes first.
 * `work` itself goes on: the caller answers on time and lets the handlers finish.
 */
export async function beforeDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof DEADLINE_PASSED> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof DEADLINE_PASSED>((resolve) => {
    timer = setTimeout(() => resolve(DEADLINE_PASSED), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface Deadline {
  /** When it passes, in `performance.now()` ms. */
  readonly at: number;
  /** Resolves its race with DEADLINE_PASSED. */
  readonly fire: () => void;
  /** Its neighbours in the list of pending deadlines (older, newer). */
  older?: Deadline;
  newer?: Deadline;
}

/**
 * Deadlines of one fixed length, for one endpoint's deliveries, on one timer: they pass in the
 * order they were set, so the timer only ever waits for the oldest pending one. A delivery that
 * settles in time costs an entry in a list, not a timer armed and cleared. The entry leaves the
 * list as soon as its work settles, so it dies young: an entry kept until its deadline would
 * outlive the garbage collector's young generation, and every delivery would leave old-generation
 * garbage behind.
 */
export class Deadlines {
  private oldest?: Deadline;
  private newest?: Deadline;
  private timer?: NodeJS.Timeout;

  constructor(readonly ms: number) {}

  /** `work`'s value, or DEADLINE_PASSED once `ms` have passed, whichever comes first. `work` goes on. */
  race<T>(work: Promise<T>): Promise<T | typeof DEADLINE_PASSED> {
    return new Promise<T | typeof DEADLINE_PASSED>((resolve, reject) => {
      const deadline: Deadline = { at: performance.now() + this.ms, fire: () => resolve(DEADLINE_PASSED), older: this.newest };
      if (this.newest) this.newest.newer = deadline;
      else {
        this.oldest = deadline;
        // A timer left from earlier deliveries keeps the process alive again while this one waits.
        this.timer?.ref();
      }
      this.newest = deadline;
      this.timer ??= setTimeout(() => this.expire(), this.ms);
      work.then(
        (value) => {
          this.remove(deadline);
          resolve(value);
        },
        (error: unknown) => {
          this.remove(deadline);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own rejection, passed on as it is
          reject(error);
        },
      );
    });
  }

  /** Takes a deadline out of the pending list (nothing when it has passed already). */
  private remove(deadline: Deadline): void {
    const { older, newer } = deadline;
    if (older) older.newer = newer;
    else if (this.oldest === deadline) this.oldest = newer;
    else return;
    if (newer) newer.older = older;
    else this.newest = older;
    deadline.older = deadline.newer = undefined;
    // Nothing pending: the timer may fire for nothing, but must not keep a closing app's process
    // alive for up to `ms` (clearing it would cost a timer per delivery when they come one by one).
    if (!this.oldest) this.timer?.unref();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    let deadline = this.oldest;
    while (deadline && deadline.at <= now) {
      this.remove(deadline);
      deadline.fire();
      deadline = this.oldest;
    }
    if (deadline) this.timer = setTimeout(() => this.expire(), deadline.at - now);
  }
}
