import { Injectable, Logger } from '@nestjs/common';
import { ComplyCubeEvent, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';

@Injectable()
export class ClientsService {
  private readonly logger = new Logger(ClientsService.name);

  @OnComplyCubeEvent('client.created')
  async onClientCreated(event: ComplyCubeEvent<'client.created'>): Promise<void> {
    this.logger.log(`client ${event.payload.id} created: start onboarding`);
  }

  @OnComplyCubeEvent('client.*')
  async onClientChanged(event: ComplyCubeEvent): Promise<void> {
    this.logger.log(`client ${String(event.payload.id)}: ${event.type}, refresh the cached profile`);
  }
}
