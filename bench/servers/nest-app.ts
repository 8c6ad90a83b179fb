import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { inject as injectRequest } from 'light-my-request';
import { Server } from 'node:http';
import { BenchApp, InjectedRequest, InjectedResponse } from '../server-harness';

/** What the bench uses of the Fastify instance. */
interface FastifyInjection {
  ready(): PromiseLike<unknown>;
  inject(request: InjectedRequest): Promise<InjectedResponse>;
}

export type BenchAdapter = 'express' | 'fastify';

export function parseAdapter(value: string | undefined): BenchAdapter {
  if (value === 'express' || value === 'fastify') return value;
  throw new Error(`--adapter must be express or fastify (got ${JSON.stringify(value)}).`);
}

/**
 * A Nest app made the way a user's main.ts makes it (`rawBody: true`, default body parser), either
 * listening on a free loopback port or initialised without a socket, its adapter's request handler
 * driven by light-my-request (Fastify's `inject` is built on it). Only warnings and errors are
 * logged, for every case alike.
 */
export function nestBenchApp(module: Type<unknown>, adapter: BenchAdapter): BenchApp {
  const create = (): Promise<INestApplication> => {
    const options = { rawBody: true, logger: ['error' as const, 'warn' as const] };
    return adapter === 'fastify'
      ? NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), options)
      : NestFactory.create<NestExpressApplication>(module, options);
  };
  return {
    async listen() {
      const app = await create();
      await app.listen(0, '127.0.0.1');
      return app.getHttpServer() as Server;
    },
    async inject() {
      const app = await create();
      await app.init();
      if (adapter === 'fastify') {
        const fastify = app.getHttpAdapter().getInstance() as FastifyInjection;
        await fastify.ready();
        return (request) => fastify.inject(request);
      }
      const express = app.getHttpAdapter().getInstance() as Parameters<typeof injectRequest>[0];
      return (request) => injectRequest(express, request);
    },
  };
}
