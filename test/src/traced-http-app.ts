/*
 * Runs in a child process: OpenTelemetry's HTTP instrumentation has to patch `http` before the app
 * loads it, which a test runner's module system does not allow. Starts an app with tracing on,
 * posts one signed event, and prints the finished spans as one JSON line.
 */
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const instrumentation = new HttpInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.enable();

async function main(): Promise<void> {
  // Loaded only now, so that `http` is patched first.
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('reflect-metadata');
  const { Module } = require('@nestjs/common') as typeof import('@nestjs/common');
  const { NestFactory } = require('@nestjs/core') as typeof import('@nestjs/core');
  const { EventEmitterModule } = require('@nestjs/event-emitter') as typeof import('@nestjs/event-emitter');
  const { ComplyCubeWebhookModule } = require('../../lib') as typeof import('../../lib');
  const { createHmac } = require('node:crypto') as typeof import('node:crypto');
  /* eslint-enable @typescript-eslint/no-require-imports */

  class AppModule {}
  Module({
    imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: 'traced', openTelemetry: { traces: true } })],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { rawBody: true, logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as import('node:http').Server).address() as import('node:net').AddressInfo;
  const body = JSON.stringify({
    id: '5ed170fe99c81a0007b9a3d3',
    type: 'check.completed.clear',
    resourceType: 'check',
    payload: { id: 'x' },
  });
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/complycube`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'complycube-signature': createHmac('sha256', 'traced').update(body).digest('hex') },
    body,
  });
  if (response.status !== 200) throw new Error(`the endpoint answered ${response.status}`);
  await app.close();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans().map((span) => ({
    name: span.name,
    kind: span.kind,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
  }));
  process.stdout.write(`${JSON.stringify(spans)}\n`);
}

void main();
