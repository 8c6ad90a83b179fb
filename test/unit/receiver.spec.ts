import { Logger } from '@nestjs/common';
import { ComplyCubeEvent, ComplyCubeWebhookMetrics } from 'nestjs-complycube-webhooks';
import { DeliveryOutcome, DeliveryResult, DeliveryRunner, DeliveryRunOptions, DeliveryWaiter } from '../../lib/delivery/delivery.runner';
import { ComplyCubeWebhookReceiver } from '../../lib/endpoint/receiver';
import { makeEvent } from '../utils/events';

/** A runner that ends every delivery with a given outcome, or never. */
function runnerEnding(outcome: DeliveryOutcome | 'never'): { runner: DeliveryRunner; signals: DeliveryWaiter[] } {
  const signals: DeliveryWaiter[] = [];
  const runner = {
    run: (_event: ComplyCubeEvent<string>, options: DeliveryRunOptions = {}) => {
      if (options.signal) signals.push(options.signal);
      return outcome === 'never' ? new Promise<DeliveryResult>(() => undefined) : Promise.resolve({ outcome, failures: [] });
    },
  };
  return { runner: runner as unknown as DeliveryRunner, signals };
}

const event = (): ComplyCubeEvent<string> => makeEvent('check.completed.clear') as ComplyCubeEvent<string>;

beforeAll(() => Logger.overrideLogger(false));

describe('ComplyCubeWebhookReceiver, the status for each outcome', () => {
  it.each<[DeliveryOutcome, number, object, keyof ReturnType<ComplyCubeWebhookMetrics['snapshot']> | undefined]>([
    ['handled', 200, { received: true }, 'handled'],
    ['duplicate', 200, { received: true, duplicate: true }, 'duplicates'],
    ['in-flight', 409, { statusCode: 409, message: 'This event is being handled by another delivery; retry later.' }, 'inFlightConflicts'],
    ['failed', 500, { statusCode: 500, message: 'Internal Server Error' }, undefined],
    ['store-error', 503, { statusCode: 503, message: 'Service Unavailable' }, undefined],
    ['abandoned', 503, { statusCode: 503, message: 'Service Unavailable' }, undefined],
    ['not-started', 503, { statusCode: 503, message: 'Service Unavailable' }, undefined],
  ])('answers %s with %i', async (outcome, status, body, counter) => {
    const metrics = new ComplyCubeWebhookMetrics();
    const receiver = new ComplyCubeWebhookReceiver(runnerEnding(outcome).runner, 1000, metrics);
    expect(await receiver.receive(event())).toEqual({ status, body });
    if (counter) expect(metrics.snapshot()[counter]).toBe(1);
  });

  it('answers 503 at the deadline and tells the runner it no longer waits', async () => {
    const metrics = new ComplyCubeWebhookMetrics();
    const { runner, signals } = runnerEnding('never');
    const receiver = new ComplyCubeWebhookReceiver(runner, 20, metrics);
    expect(await receiver.receive(event())).toEqual({ status: 503, body: { statusCode: 503, message: 'Service Unavailable' } });
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(true);
    expect(metrics.snapshot().timeouts).toBe(1);
  });

  it('leaves the signal alone when the runner answers in time', async () => {
    const { runner, signals } = runnerEnding('handled');
    await new ComplyCubeWebhookReceiver(runner, 1000, new ComplyCubeWebhookMetrics()).receive(event());
    expect(signals[0].aborted).toBe(false);
  });
});
