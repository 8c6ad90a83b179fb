import { INestApplicationContext } from '@nestjs/common';
import { ComplyCubeEvent } from '../interfaces/complycube-event.interface';
import { findComplyCubeEventProblem } from '../webhook/complycube-event.pipe';
import { ComplyCubeWebhookReceipt, ComplyCubeWebhookReceiver } from '../webhook/complycube-webhook.receiver';

/**
 * Hands an event to the app's handlers without HTTP or signature, through the same receiver the
 * endpoint uses: the same handlers run, with the same rules, and the receipt carries the status
 * and body the endpoint would answer. `target` is an app or a testing module (it is initialised
 * if it was not, so that handlers are subscribed). The event travels as JSON, as over HTTP.
 * With several ComplyCubeWebhookModule registrations, the first one's receiver is used.
 */
export async function deliverComplyCubeEvent(
  target: INestApplicationContext,
  event: ComplyCubeEvent<string>,
): Promise<ComplyCubeWebhookReceipt> {
  const received: unknown = JSON.parse(JSON.stringify(event));
  const problem = findComplyCubeEventProblem(received);
  if (problem) throw new TypeError(`deliverComplyCubeEvent(): not a ComplyCube event: ${problem}.`);
  await target.init();
  let receiver: ComplyCubeWebhookReceiver;
  try {
    receiver = target.get(ComplyCubeWebhookReceiver, { strict: false });
  } catch {
    throw new Error('deliverComplyCubeEvent(): the app does not import ComplyCubeWebhookModule.');
  }
  return receiver.receive(received as ComplyCubeEvent<string>);
}
