/**
 * One process of the soak's queue scenario, started by the soak with `fork`: an endpoint
 * (`endpoint express|fastify`: an HTTP app with `role: 'endpoint'` on a loopback port) or a worker
 * (`worker`: a Nest application context with `role: 'worker'`), both on the Redis at SOAK_REDIS_URL.
 * It tells the soak when it is ready, answers its questions over the IPC channel, and exits when
 * the soak goes away. Nothing imports it: it runs when loaded.
 */
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { ComplyCubeWebhookEndpoints, ComplyCubeWebhookMetrics, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RedisHandlerLedger } from './queue-ledger';
import { soakAppModule, SoakModuleOptions } from './soak-app';
import { SOAK_REGISTRATION, SoakProcessCommand, SoakProcessMessage } from './soak-processes';

function send(message: SoakProcessMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [role, adapter] = process.argv.slice(2);
  const url = process.env.SOAK_REDIS_URL;
  if (!url || (role !== 'endpoint' && role !== 'worker') || (role === 'endpoint' && adapter !== 'express' && adapter !== 'fastify')) {
    throw new Error('usage: SOAK_REDIS_URL=redis://... queue-process.ts endpoint express|fastify | worker');
  }
  const redis = new Redis(url);
  const ledgerRedis = new Redis(url);
  const options: SoakModuleOptions = {
    name: SOAK_REGISTRATION,
    idempotency: { store: new RedisIdempotencyStore(redis) },
    queue: { connection: redis, role },
  };
  const module = soakAppModule(new RedisHandlerLedger(ledgerRedis), options);
  const logger = ['error', 'warn'] as const;
  let app: INestApplicationContext;
  let endpointUrl: string | undefined;
  if (role === 'endpoint') {
    const http = await NestFactory.create(module, adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(), {
      rawBody: true,
      logger: [...logger],
    });
    await http.listen(0, '127.0.0.1');
    const { port } = (http.getHttpServer() as Server).address() as AddressInfo;
    endpointUrl = `http://127.0.0.1:${port}${http.get(ComplyCubeWebhookEndpoints).route()}`;
    app = http;
  } else {
    app = await NestFactory.createApplicationContext(module, { logger: [...logger] });
  }

  process.on('message', (command: SoakProcessCommand) => {
    if (command === 'metrics') send({ metrics: app.get(ComplyCubeWebhookMetrics).snapshot() });
    if (command === 'stop') {
      void (async () => {
        await app.close();
        await Promise.all([redis.quit(), ledgerRedis.quit()]);
        send({ stopped: true });
        process.disconnect();
      })();
    }
  });
  send({ ready: true, url: endpointUrl });
}

// The soak went away (even killed): nothing else would stop this process.
process.on('disconnect', () => process.exit(0));

main().catch((error: unknown) => {
  send({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
