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
