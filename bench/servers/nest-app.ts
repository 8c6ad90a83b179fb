import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Server } from 'node:http';

export type BenchAdapter = 'express' | 'fastify';

export function parseAdapter(value: string | undefined): BenchAdapter {
  if (value === 'express' || value === 'fastify') return value;
  throw new Error(`--adapter must be express or fastify (got ${JSON.stringify(value)}).`);
}

/**
 * Boots a Nest app the way a user's main.ts does (`rawBody: true`, default body parser), listening
 * on a free loopback port. Only warnings and errors are logged, for every case alike.
 */
export async function startNestApp(module: Type<unknown>, adapter: BenchAdapter): Promise<Server> {
  const options = { rawBody: true, logger: ['error' as const, 'warn' as const] };
  const app: INestApplication =
    adapter === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), options)
      : await NestFactory.create<NestExpressApplication>(module, options);
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer() as Server;
}
