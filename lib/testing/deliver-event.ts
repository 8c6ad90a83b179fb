import { INestApplicationContext } from '@nestjs/common';
import { ComplyCubeEvent } from '../events/event.interface';
import { ComplyCubeEndpointRegistry } from '../endpoint/endpoint.registry';
import { findComplyCubeEventProblem } from '../endpoint/event.pipe';
import { ComplyCubeWebhookReceipt, ComplyCubeWebhookReceiver } from '../endpoint/receiver';

export interface DeliverComplyCubeEventOptions {
  /** For an app that registers ComplyCubeWebhookModule several times: the `name` of the registration. */
  registration?: string;
}

/**
 * Hands an event to the app's handlers without HTTP or signature, through the same receiver the
 * endpoint uses: the same handlers run, with the same rules, and the receipt carries the status
 * and body the endpoint would answer. `target` is an app or a testing module (it is initialised
 * if it was not, so that handlers are subscribed). The event travels as JSON, as over HTTP.
 */
export async function deliverComplyCubeEvent(
  target: INestApplicationContext,
  event: ComplyCubeEvent<string>,
  options: DeliverComplyCubeEventOptions = {},
): Promise<ComplyCubeWebhookReceipt> {
  const received: unknown = JSON.parse(JSON.stringify(event));
  const problem = findComplyCubeEventProblem(received);
  if (problem) throw new TypeError(`deliverComplyCubeEvent(): not a ComplyCube event: ${problem}.`);
  await target.init();
  let registry: ComplyCubeEndpointRegistry;
  try {
    registry = target.get(ComplyCubeEndpointRegistry, { strict: false });
  } catch {
    throw new Error('deliverComplyCubeEvent(): the app does not import ComplyCubeWebhookModule.');
  }
  const endpoint = registry.select(options.registration, 'deliverComplyCubeEvent()', (name) => `with { registration: '${name}' }`);
  const receiver = target
    .get(ComplyCubeWebhookReceiver, { strict: false, each: true })
    .find((candidate) => candidate.endpoint === endpoint);
  if (!receiver) throw new Error(`deliverComplyCubeEvent(): no receiver for ${endpoint.label}.`);
  return receiver.receive(received as ComplyCubeEvent<string>);
}
