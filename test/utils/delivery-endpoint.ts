import { EventEmitterModule } from '@nestjs/event-emitter';
import { ComplyCubeWebhookModule, ComplyCubeWebhookModuleOptions } from 'nestjs-complycube-webhooks';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { AdapterName, RecordingLogger, startTestApp, TestApp } from './app';
import { HttpResult, postWebhook } from './http';
import { sleep } from './wait';

export const DELIVERY_SECRET = 'whsec_delivery_guarantees_secret';

export interface DeliveryEndpoint {
  server: TestApp;
  journal: DeliveryJournal;
  logger: RecordingLogger;
  deliver(event: object): Promise<HttpResult>;
  /** Delivers again while the answer is 409, as ComplyCube's retries would. */
  redeliver(event: object): Promise<HttpResult>;
}

/** An app with the two RejectedCheckHandlers; pass one journal to several endpoints to share it. */
export async function startDeliveryEndpoint(
  adapter: AdapterName,
  options: Partial<ComplyCubeWebhookModuleOptions> = {},
  journal = new DeliveryJournal(),
): Promise<DeliveryEndpoint> {
  const logger = new RecordingLogger();
  const server = await startTestApp({
    adapter,
    logger,
    imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: DELIVERY_SECRET, ...options })],
    providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
  });
  const deliver = (event: object): Promise<HttpResult> => postWebhook(server.url(), event, { secret: DELIVERY_SECRET });
  const redeliver = async (event: object): Promise<HttpResult> => {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const response = await deliver(event);
      if (response.status !== 409) return response;
      await sleep(10);
    }
    throw new Error('still 409 after 300 attempts');
  };
  return { server, journal, logger, deliver, redeliver };
}
