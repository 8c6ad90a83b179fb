/**
 * `npm run demo`: boots the sample app on a free port and plays ComplyCube for a few requests,
 * showing for each the HTTP status and which handlers ran.
 */
import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ComplyCubeWebhookMetrics } from 'nestjs-complycube-webhooks';
import { signComplyCubePayload } from 'nestjs-complycube-webhooks/testing';
import { AppModule } from './app.module';

const HANDLER_CONTEXTS = new Set(['ChecksService', 'ClientsService', 'AuditService']);

/** Keeps the handlers' log lines for the current request; the framework's own lines stay quiet. */
class DemoLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  override log(message: unknown, context?: string): void {
    if (context && HANDLER_CONTEXTS.has(context)) this.lines.push(`${context}: ${String(message)}`);
  }
  override error(message: unknown, ...rest: unknown[]): void {
    const context = rest.filter((part): part is string => typeof part === 'string').pop();
    this.lines.push(`error${context ? ` [${context}]` : ''}: ${String(message)}`);
  }
  override warn(message: unknown, context?: string): void {
    this.lines.push(`warn${context ? ` [${context}]` : ''}: ${String(message)}`);
  }
}

const id = (): string => randomBytes(12).toString('hex');
const now = (): string => new Date().toISOString();

function event(type: string, resourceType: string, payload: Record<string, unknown>): Record<string, unknown> {
  return { id: id(), type, resourceType, payload: { id: id(), ...payload }, createdAt: now() };
}

async function main(): Promise<void> {
  const secret = randomBytes(24).toString('base64url');
  process.env.COMPLYCUBE_WEBHOOK_SECRET = secret;
  const logger = new DemoLogger();
  const app = await NestFactory.create(AppModule, { rawBody: true, logger, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/webhooks/complycube`;
  console.log(`Sample app listening; ComplyCube webhooks go to POST ${url}\n`);

  const sign = (body: string, key = secret): string => signComplyCubePayload(body, key);
  const rejected = event('check.completed.rejected', 'check', { status: 'complete', outcome: 'rejected' });
  const story: Array<{ title: string; body: string; signature?: string }> = [
    { title: 'client.created', body: JSON.stringify(event('client.created', 'client', { type: 'person' })) },
    { title: 'check.pending', body: JSON.stringify(event('check.pending', 'check', { status: 'pending' })) },
    { title: 'check.completed.rejected', body: JSON.stringify(rejected) },
    { title: 'check.completed.rejected again (ComplyCube retrying the same event id)', body: JSON.stringify(rejected) },
    {
      title: 'check.completed.rejected, signed with the wrong secret (forged)',
      body: JSON.stringify(rejected),
      signature: sign(JSON.stringify(rejected), 'not-the-secret'),
    },
    { title: 'check.completed.rejected, no signature at all', body: JSON.stringify(rejected), signature: '' },
    { title: 'person.verified (a type ComplyCube may add later)', body: JSON.stringify(event('person.verified', 'person', {})) },
    { title: 'a signed body that is not an event', body: JSON.stringify({ hello: 'world' }) },
  ];

  let unexpected = 0;
  for (const [index, step] of story.entries()) {
    logger.lines.length = 0;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature = step.signature ?? sign(step.body);
    if (signature) headers['complycube-signature'] = signature;
    const response = await fetch(url, { method: 'POST', headers, body: step.body });
    const text = await response.text();
    console.log(`${index + 1}. ${step.title}`);
    console.log(`   -> ${response.status} ${text}`);
    if (logger.lines.length === 0) console.log('   handlers: none ran');
    for (const line of logger.lines) console.log(`   ${line}`);
    console.log('');
    if (response.status >= 500) unexpected += 1;
  }

  console.log('Counters:', JSON.stringify(app.get(ComplyCubeWebhookMetrics).snapshot()));
  await app.close();
  if (unexpected > 0) {
    console.error(`${unexpected} request(s) got a server error`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
