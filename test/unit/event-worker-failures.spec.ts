import { DelayedError, UnrecoverableError } from 'bullmq';
import { isFinalFailure } from '../../lib/queue/event-worker';

/** Which failures make a dead letter (reported to onDeadLetter and counted) and which leave the job to retry. */
describe('isFinalFailure', () => {
  const job = (attemptsMade: number, attempts = 20) => ({ attemptsMade, opts: { attempts } });

  it('is final on the last attempt only', () => {
    expect(isFinalFailure(job(19), new Error('Delivery ended failed: Handlers.onRejected'))).toBe(false);
    expect(isFinalFailure(job(20), new Error('Delivery ended failed: Handlers.onRejected'))).toBe(true);
  });

  it('is final for an unrecoverable error, attempts left or not (an unknown scope; a job that stalled too often on BullMQ 6)', () => {
    expect(isFinalFailure(job(1), new UnrecoverableError('job stalled more than allowable limit'))).toBe(true);
    expect(isFinalFailure(job(1), new UnrecoverableError('No ComplyCubeWebhookModule registration'))).toBe(true);
  });

  it('is final for a job that stalled too often as BullMQ 5 reports it', () => {
    expect(isFinalFailure(job(1), new Error('job stalled more than allowable limit'))).toBe(true);
  });

  it('is never final for the delay that waits out another delivery', () => {
    expect(isFinalFailure(job(20), new DelayedError())).toBe(false);
  });
});
