// First, so that OpenTelemetry's tracer is registered before Nest and the package load.
import '../tracing';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap() {
  // rawBody: the signature is checked over the exact bytes ComplyCube sent.
  const app = await NestFactory.create(AppModule, { rawBody: true });
  app.enableShutdownHooks(); // on SIGTERM, the worker's active jobs finish (up to queue.shutdownTimeoutMs) before the app exits
  await app.listen(process.env.PORT ?? 3000);
}
void bootstrap();
