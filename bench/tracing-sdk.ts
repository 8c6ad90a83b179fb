import { BatchSpanProcessor, NodeTracerProvider, ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';

type ExportCallback = Parameters<SpanExporter['export']>[1];

/** ExportResultCode.SUCCESS of @opentelemetry/core (not a dependency of this project). */
const EXPORT_SUCCEEDED = 0;

/** Takes every batch of finished spans and drops it: the SDK's span work is done, no I/O follows. */
class DroppingSpanExporter implements SpanExporter {
  exported = 0;

  export(spans: ReadableSpan[], done: ExportCallback): void {
    this.exported += spans.length;
    done({ code: EXPORT_SUCCEEDED });
  }

  async shutdown(): Promise<void> {}
}

/**
 * Registers an OpenTelemetry SDK tracer provider as a Node app does (NodeTracerProvider, a
 * BasicTracerProvider with the AsyncLocalStorage context manager and the W3C propagator), sampling
 * every span, batching them (BatchSpanProcessor, the production default) to an exporter that drops
 * them. Done before the app loads, so the package's tracer is the SDK's from the first delivery.
 */
export function registerDroppingTracerProvider(): void {
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DroppingSpanExporter())] });
  provider.register();
}
