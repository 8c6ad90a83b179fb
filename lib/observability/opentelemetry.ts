import type * as OpenTelemetryApi from '@opentelemetry/api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../common/errors';
import { loadOptionalPeer } from '../common/optional-peer';
import {
  ATTR_COMPLYCUBE_DELIVERY_OUTCOME,
  ATTR_COMPLYCUBE_EVENT_TYPE,
  ATTR_COMPLYCUBE_HANDLER_KEY,
  ATTR_COMPLYCUBE_HANDLER_OUTCOME,
  ATTR_COMPLYCUBE_REGISTRATION,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  INSTRUMENTATION_NAME,
  MESSAGING_SYSTEM,
} from './attributes';
import { TracedEvent, TracedOperation, TracedPublish, Tracing } from './tracing';

type Api = typeof OpenTelemetryApi;

/** Outcomes a span reports as an error. */
const ERROR_OUTCOMES = new Set(['failed', 'abandoned', 'store-error', 'timeout', 'queue-error', 'dead-lettered']);

/**
 * Loads `@opentelemetry/api` (an optional peer: the app brings it, with its SDK) and traces through
 * the app's global tracer provider. Without a registered SDK the API is a no-op.
 */
export async function createOpenTelemetryTracing(): Promise<Tracing> {
  const api = await loadOptionalPeer<Api>('@opentelemetry/api', 'ComplyCubeWebhookModule openTelemetry');
  return new OpenTelemetryTracing(api);
}

/** The package's version, for the instrumentation scope. */
export function packageVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

class OpenTelemetryTracing implements Tracing {
  readonly enabled = true;
  private readonly tracer: OpenTelemetryApi.Tracer;

  constructor(private readonly api: Api) {
    this.tracer = api.trace.getTracer(INSTRUMENTATION_NAME, packageVersion());
  }

  delivery(
    event: TracedEvent,
    registration: string,
    options: { destination?: string; linkedTo?: Record<string, string> } = {},
  ): TracedOperation {
    const links: OpenTelemetryApi.Link[] = [];
    if (options.linkedTo) {
      const producer = this.api.trace.getSpanContext(this.api.propagation.extract(this.api.ROOT_CONTEXT, options.linkedTo));
      if (producer && this.api.isSpanContextValid(producer)) links.push({ context: producer });
    }
    const span = this.tracer.startSpan(`process ${event.type}`, {
      kind: this.api.SpanKind.CONSUMER,
      attributes: this.messagingAttributes('process', event, registration, options.destination),
      links,
    });
    return this.operation(span, ATTR_COMPLYCUBE_DELIVERY_OUTCOME);
  }

  publish(event: TracedEvent, registration: string, destination: string): TracedPublish {
    const span = this.tracer.startSpan(`publish ${destination}`, {
      kind: this.api.SpanKind.PRODUCER,
      attributes: this.messagingAttributes('publish', event, registration, destination),
    });
    const operation = this.operation(span, ATTR_COMPLYCUBE_DELIVERY_OUTCOME);
    return {
      ...operation,
      carrier: () => {
        const carrier: Record<string, string> = {};
        this.api.propagation.inject(this.api.trace.setSpan(this.api.context.active(), span), carrier);
        return carrier;
      },
    };
  }

  handler(handlerKey: string, event: TracedEvent, registration: string): TracedOperation {
    const span = this.tracer.startSpan(`handle ${handlerKey}`, {
      kind: this.api.SpanKind.INTERNAL,
      attributes: {
        [ATTR_COMPLYCUBE_HANDLER_KEY]: handlerKey,
        [ATTR_COMPLYCUBE_EVENT_TYPE]: event.type,
        [ATTR_MESSAGING_MESSAGE_ID]: event.id,
        [ATTR_COMPLYCUBE_REGISTRATION]: registration,
      },
    });
    return this.operation(span, ATTR_COMPLYCUBE_HANDLER_OUTCOME);
  }

  private messagingAttributes(
    operation: string,
    event: TracedEvent,
    registration: string,
    destination?: string,
  ): OpenTelemetryApi.Attributes {
    const attributes: OpenTelemetryApi.Attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
      [ATTR_MESSAGING_OPERATION_TYPE]: operation,
      [ATTR_MESSAGING_OPERATION_NAME]: operation,
      [ATTR_MESSAGING_MESSAGE_ID]: event.id,
      [ATTR_COMPLYCUBE_EVENT_TYPE]: event.type,
      [ATTR_COMPLYCUBE_REGISTRATION]: registration,
    };
    if (destination !== undefined) attributes[ATTR_MESSAGING_DESTINATION_NAME] = destination;
    return attributes;
  }

  /** Runs work with the span active, so that spans made inside it (a handler's own calls) are its children. */
  private operation(span: OpenTelemetryApi.Span, outcomeAttribute: string): TracedOperation {
    const active = this.api.trace.setSpan(this.api.context.active(), span);
    return {
      run: (work) => this.api.context.with(active, work),
      end: (outcome, error) => {
        span.setAttribute(outcomeAttribute, outcome);
        if (error !== undefined) span.recordException(error instanceof Error ? error : describeError(error));
        if (ERROR_OUTCOMES.has(outcome)) span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: outcome });
        span.end();
      },
    };
  }
}
