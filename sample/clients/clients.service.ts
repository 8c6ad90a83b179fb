import { Injectable, Logger } from '@nestjs/common';
import { OnComplyCubeEvent, type ComplyCubeEvent } from 'nestjs-complycube-webhooks';

@Injectable()
export class ClientsService {
  private readonly logger = new Logger(ClientsService.name);

  @OnComplyCubeEvent('client.*')
  async onClient(event: ComplyCubeEvent<'client.created' | 'client.updated' | 'client.deleted'>): Promise<void> {
    if (event.type === 'client.created') {
      // payload: ComplyCubeClient, the whole client
      this.logger.log(`${event.payload.type} client ${event.payload.id} created: start onboarding`);
    }
  }
}
