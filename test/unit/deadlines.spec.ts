import { DEADLINE_PASSED, Deadlines } from '../../lib/endpoint/deadline';

describe('Deadlines, one timer for the deadlines of an endpoint', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers with the work when it settles first, and with DEADLINE_PASSED when the deadline does', async () => {
    const deadlines = new Deadlines(1_000);
    const quick = deadlines.race(Promise.resolve('done'));
    const slow = deadlines.race(new Promise(() => undefined));
    await expect(quick).resolves.toBe('done');
    await jest.advanceTimersByTimeAsync(999);
    let passed: unknown;
    void slow.then((value) => (passed = value));
    await Promise.resolve();
    expect(passed).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(passed).toBe(DEADLINE_PASSED);
  });

  it('passes each pending deadline at its own time, in order, with one timer at most', async () => {
    const deadlines = new Deadlines(1_000);
    const passedAt: Array<[string, number]> = [];
    const started = performance.now();
    const watch = (name: string): void =>
      void deadlines.race(new Promise(() => undefined)).then(() => passedAt.push([name, Math.round(performance.now() - started)]));
    watch('first');
    await jest.advanceTimersByTimeAsync(300);
    watch('second');
    const settledInTime = deadlines.race(Promise.resolve('in time'));
    await jest.advanceTimersByTimeAsync(200);
    watch('third');
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(passedAt).toEqual([
      ['first', 1_000],
      ['second', 1_300],
      ['third', 1_500],
    ]);
    await expect(settledInTime).resolves.toBe('in time');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('forgets a deadline as soon as its work settles, wherever it is among the pending ones', async () => {
    const deadlines = new Deadlines(1_000);
    const outcomes = new Map<string, unknown>();
    const settlers = new Map<string, (value: string) => void>();
    const start = (name: string): void => {
      const work = new Promise<string>((resolve) => settlers.set(name, resolve));
      void deadlines.race(work).then((value) => outcomes.set(name, value));
    };
    for (const name of ['oldest', 'second', 'middle', 'fourth', 'newest']) {
      start(name);
      await jest.advanceTimersByTimeAsync(100);
    }
    for (const name of ['middle', 'oldest', 'newest']) settlers.get(name)?.(`${name} done`);
    await jest.advanceTimersByTimeAsync(0);
    start('late');
    await jest.advanceTimersByTimeAsync(2_000);
    expect(Object.fromEntries(outcomes)).toEqual({
      middle: 'middle done',
      oldest: 'oldest done',
      newest: 'newest done',
      second: DEADLINE_PASSED,
      fourth: DEADLINE_PASSED,
      late: DEADLINE_PASSED,
    });
    expect(jest.getTimerCount()).toBe(0);
    // A settled work's deadline left no trace: a fresh race gets its full time.
    const again = deadlines.race(new Promise(() => undefined));
    let passed: unknown;
    void again.then((value) => (passed = value));
    await jest.advanceTimersByTimeAsync(999);
    expect(passed).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(passed).toBe(DEADLINE_PASSED);
  });

  it('arms no timer for deadlines whose work has settled, resolved or rejected', async () => {
    const deadlines = new Deadlines(1_000);
    await deadlines.race(Promise.resolve('first'));
    await jest.advanceTimersByTimeAsync(500);
    await expect(deadlines.race(Promise.reject(new Error('second')))).rejects.toThrow('second');
    await deadlines.race(Promise.resolve('third'));
    // The timer armed for the first deadline fires and finds nothing pending: it is not armed again.
    await jest.advanceTimersByTimeAsync(500);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps the pending deadlines when a work whose deadline passed settles later', async () => {
    const deadlines = new Deadlines(1_000);
    let settleLate!: () => void;
    const late = deadlines.race(new Promise<void>((resolve) => (settleLate = resolve)));
    await jest.advanceTimersByTimeAsync(500);
    let pending: unknown;
    void deadlines.race(new Promise(() => undefined)).then((value) => (pending = value));
    await jest.advanceTimersByTimeAsync(500);
    await expect(late).resolves.toBe(DEADLINE_PASSED);
    settleLate();
    await jest.advanceTimersByTimeAsync(500);
    expect(pending).toBe(DEADLINE_PASSED);
  });

  it('passes on the rejection of work that fails before the deadline', async () => {
    const deadlines = new Deadlines(1_000);
    await expect(deadlines.race(Promise.reject(new Error('store down')))).rejects.toThrow('store down');
  });
});

describe('Deadlines and the process', () => {
  const timersKeepingProcessAlive = (): number => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;

  it('holds the process open only while a deadline is pending, not after the last work settles', async () => {
    const deadlines = new Deadlines(60_000);
    const before = timersKeepingProcessAlive();
    let settle!: () => void;
    const first = deadlines.race(new Promise<void>((resolve) => (settle = resolve)));
    expect(timersKeepingProcessAlive()).toBe(before + 1);
    settle();
    await first;
    // An app closed now must not wait a minute for a timer that has nothing left to do.
    expect(timersKeepingProcessAlive()).toBe(before);
    let settleAgain!: () => void;
    const second = deadlines.race(new Promise<void>((resolve) => (settleAgain = resolve)));
    expect(timersKeepingProcessAlive()).toBe(before + 1);
    settleAgain();
    await second;
    expect(timersKeepingProcessAlive()).toBe(before);
  });
});
