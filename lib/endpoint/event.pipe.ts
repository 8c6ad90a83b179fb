import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { findComplyCubeEventProblem } from '../events/event-envelope';
import { ComplyCubeEvent } from '../events/event.interface';

/** Rejects, with 400, a verified body that is not a ComplyCube event. */
@Injectable()
export class ComplyCubeEventPipe implements PipeTransform<unknown, ComplyCubeEvent<string>> {
  constructor(private readonly metrics: ComplyCubeWebhookMetrics) {}

  transform(body: unknown): ComplyCubeEvent<string> {
    const problem = findComplyCubeEventProblem(body);
    if (problem) {
      this.metrics.countRejection('body');
      throw new BadRequestException(`Not a ComplyCube event: ${problem}.`);
    }
    return body as ComplyCubeEvent<string>;
  }
}
