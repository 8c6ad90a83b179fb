import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

// No top-level await: the same source is also compiled to CommonJS.
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { rawBody: true, logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  // Port 0: the OS picks a free loopback port; the check reads it from this line.
  await app.listen(0, '127.0.0.1');
  console.log(`listening on ${await app.getUrl()}`);
}

void bootstrap();
