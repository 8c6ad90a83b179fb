// Imported first in src/main.ts (import './tracing';), before anything else.
import { BatchSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

// Spans printed to the console; in production an OTLP exporter, or @opentelemetry/sdk-node's NodeSDK.
new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new ConsoleSpanExporter())] }).register();
