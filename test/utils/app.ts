import { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AddressInfo } from 'node:net';

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

export interface TestAppOptions extends ModuleMetadata {
  adapter: AdapterName;
  rawBody?: boolean;
  globalPrefix?: string;
  logger?: LoggerService | false;
  /** Fastify's bodyLimit / Express's json limit, in bytes. */
  bodyLimit?: number;
  /** Called with the app before it listens (to add a Fastify hook, say). */
  beforeListen?: (app: INestApplication) => void;
}

export interface TestApp {
  app: INestApplication;
  baseUrl: string;
  url(path?: string): string;
  close(): Promise<void>;
}

/** Boots a real app on a free loopback port with the chosen HTTP adapter. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const { adapter, rawBody = true, globalPrefix, logger = false, bodyLimit, beforeListen, ...metadata } = options;
  const moduleRef = await Test.createTestingModule(metadata).compile();
  let app: INestApplication;
  if (adapter === 'fastify') {
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(bodyLimit ? { bodyLimit } : {}), {
      rawBody,
      logger,
    });
  } else {
    const express = moduleRef.createNestApplication<NestExpressApplication>(new ExpressAdapter(), {
      rawBody,
      logger,
    });
    // As the README shows: raise the limit and keep rawBody.
    if (bodyLimit !== undefined) express.useBodyParser('json', { limit: bodyLimit });
    app = express;
  }
  if (globalPrefix) app.setGlobalPrefix(globalPrefix);
  beforeListen?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    baseUrl,
    url: (path = 'webhooks/complycube') => `${baseUrl}/${path.replace(/^\/+/, '')}`,
    close: () => app.close(),
  };
}

/** A logger that keeps every line, to assert on what the package logs (and never logs). */
export class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context?: string }> = [];
  log(message: unknown, ...rest: unknown[]): void {
    this.push('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.push('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.push('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.push('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.push('verbose', message, rest);
  }
  text(): string {
    return this.lines.map((line) => `${line.level} [${line.context ?? ''}] ${line.message}`).join('\n');
  }
  private push(level: string, message: unknown, rest: unknown[]): void {
    const strings = rest.map((part) => (typeof part === 'string' ? part : JSON.stringify(part)));
    const context = strings.pop();
    this.lines.push({ level, message: [String(message), ...strings].join(' '), context });
  }
}
