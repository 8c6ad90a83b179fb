import { Controller, Get } from '@nestjs/common';
import { ReceivedEventsHandler } from './received-events.handler.js';

@Controller('compat')
export class ReceivedEventsController {
  constructor(private readonly handler: ReceivedEventsHandler) {}

  @Get('received')
  received(): object {
    return { events: this.handler.received };
  }
}
