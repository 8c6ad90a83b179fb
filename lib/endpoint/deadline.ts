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
  /** Resolves its race with DEADLINE_PASSED; cleared once the work settles first. */
  fire?: () => void;
}

/**
 * Deadlines of one fixed length, for one endpoint's deliveries, on one timer: they pass in the
 * order they were set, so the timer only ever waits for the oldest pending one. A delivery that
 * settles in time costs an entry in a queue, not a timer armed and cleared.
 */
export class Deadlines {
  private readonly queue: Deadline[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;

  constructor(readonly ms: number) {}

  /** `work`'s value, or DEADLINE_PASSED once `ms` have passed, whichever comes first. `work` goes on. */
  race<T>(work: Promise<T>): Promise<T | typeof DEADLINE_PASSED> {
    return new Promise<T | typeof DEADLINE_PASSED>((resolve, reject) => {
      const deadline: Deadline = { at: performance.now() + this.ms, fire: () => resolve(DEADLINE_PASSED) };
      this.queue.push(deadline);
      this.timer ??= setTimeout(() => this.expire(), this.ms);
      work.then(
        (value) => {
          deadline.fire = undefined;
          resolve(value);
        },
        (error: unknown) => {
          deadline.fire = undefined;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own rejection, passed on as it is
          reject(error);
        },
      );
    });
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.queue.length) {
      const deadline = this.queue[this.head];
      if (deadline.fire && deadline.at > now) {
        this.timer = setTimeout(() => this.expire(), deadline.at - now);
        break;
      }
      this.head += 1;
      deadline.fire?.();
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
