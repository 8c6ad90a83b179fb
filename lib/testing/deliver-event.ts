import { INestApplicationContext } from '@nestjs/common';
import { ComplyCubeDeliverOptions, ComplyCubeEvent, ComplyCubeWebhookEndpoints, ComplyCubeWebhookReceipt } from '../index';
import { findComplyCubeEventProblem } from '../events/event-envelope';

export type DeliverComplyCubeEventOptions = ComplyCubeDeliverOptions;

/**
 * Hands an event to the app's handlers without HTTP or signature, through the same receiver the
 * endpoint uses (`ComplyCubeWebhookEndpoints.deliver`): the same handlers run, with the same rules,
 * and the receipt carries the status and body the endpoint would answer. `target` is an app or a
 * testing module (it is initialised if it was not, so that handlers are subscribed). The event
 * travels as JSON, as over HTTP.
 */
export async function deliverComplyCubeEvent(
  target: INestApplicationContext,
  event: ComplyCubeEvent<string>,
  options: DeliverComplyCubeEventOptions = {},
): Promise<ComplyCubeWebhookReceipt> {
  const problem = findComplyCubeEventProblem(JSON.parse(JSON.stringify(event)));
  if (problem) throw new TypeError(`deliverComplyCubeEvent(): not a ComplyCube event: ${problem}.`);
  await target.init();
  let endpoints: ComplyCubeWebhookEndpoints;
  try {
    endpoints = target.get(ComplyCubeWebhookEndpoints, { strict: false });
  } catch {
    throw new Error('deliverComplyCubeEvent(): the app does not import ComplyCubeWebhookModule.');
  }
  return endpoints.deliver(event, options);
}
