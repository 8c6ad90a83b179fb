import { HttpStatus, Injectable } from '@nestjs/common';
import { ComplyCubeEventDispatcher } from '../dispatch/complycube-event.dispatcher';
import { ComplyCubeEvent } from '../interfaces/complycube-event.interface';

/** What the endpoint answers for one verified event: a status that drives ComplyCube's retries. */
export type ComplyCubeWebhookReceipt =
  | { status: HttpStatus.OK; body: { received: true } }
  | { status: HttpStatus.INTERNAL_SERVER_ERROR; body: { statusCode: number; message: string } };

/**
 * Handles one verified event for one endpoint, with no HTTP in it: the controller only turns
 * the receipt into a response, and the testing kit can deliver events the same way.
 */
@Injectable()
export class ComplyCubeWebhookReceiver {
  constructor(private readonly dispatcher: ComplyCubeEventDispatcher) {}

  async receive(event: ComplyCubeEvent<string>): Promise<ComplyCubeWebhookReceipt> {
    const { failed } = await this.dispatcher.dispatch(event);
    if (failed.length > 0) {
      // ComplyCube delivers the event again after a non-2xx; the body stays generic.
      return {
        status: HttpStatus.INTERNAL_SERVER_ERROR,
        body: { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal Server Error' },
      };
    }
    return { status: HttpStatus.OK, body: { received: true } };
  }
}
