import {
  ArgumentsHost,
  CallHandler,
  CanActivate,
  Catch,
  Controller,
  ExceptionFilter,
  ExecutionContext,
  HttpCode,
  HttpException,
  Injectable,
  Module,
  NestInterceptor,
  Post,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import { map, Observable } from 'rxjs';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  ComplyCubeEvent,
  ComplyCubeSignatureGuard,
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookModule,
  OnComplyCubeEvent,
} from 'nestjs-complycube-webhooks';
import { HandlerJournal, WildcardHandlers } from '../src/recording-handlers';
import { ADAPTERS, RecordingLogger, startTestApp } from '../utils/app';
import { makeEvent } from '../utils/events';
import { postWebhook } from '../utils/http';

const SECRET = 'whsec_configuration_secret';

describe.each(ADAPTERS)('module configuration on %s', (adapter) => {
  it('forRootAsync takes its secret from ConfigService', async () => {
    const server = await startTestApp({
      adapter,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ COMPLYCUBE_WEBHOOK_SECRET: SECRET })] }),
        EventEmitterModule.forRoot({ wildcard: true }),
        ComplyCubeWebhookModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ secret: config.getOrThrow<string>('COMPLYCUBE_WEBHOOK_SECRET') }),
        }),
      ],
      providers: [HandlerJournal, WildcardHandlers],
    });
    try {
      const event = makeEvent('client.created');
      expect((await postWebhook(server.url(), event, { secret: SECRET })).status).toBe(200);
      expect((await postWebhook(server.url(), event, { secret: 'other' })).status).toBe(401);
      expect(server.app.get(HandlerJournal).handlersFor(event.id)).toEqual(['*', '*.created']);
    } finally {
      await server.close();
    }
  });

  it('serves a custom path under the global prefix, and nothing at the default path', async () => {
    const server = await startTestApp({
      adapter,
      globalPrefix: 'api',
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET, path: '/hooks/kyc' })],
      providers: [HandlerJournal, WildcardHandlers],
    });
    try {
      const event = makeEvent('check.pending');
      expect((await postWebhook(server.url('api/hooks/kyc'), event, { secret: SECRET })).status).toBe(200);
      expect((await postWebhook(server.url('hooks/kyc'), event, { secret: SECRET })).status).toBe(404);
      expect((await postWebhook(server.url('api/webhooks/complycube'), event, { secret: SECRET })).status).toBe(404);
      expect(server.app.get(HandlerJournal).handlersFor(event.id)).toEqual(['*', 'check.**']);
    } finally {
      await server.close();
    }
  });

  it('serves two registrations with their own paths and secrets, each event handled once', async () => {
    const server = await startTestApp({
      adapter,
      imports: [
        EventEmitterModule.forRoot({ wildcard: true }),
        ComplyCubeWebhookModule.forRoot({ secret: 'secret-live', path: 'webhooks/complycube/live' }),
        ComplyCubeWebhookModule.forRoot({ secret: ['secret-sandbox', 'secret-sandbox-next'], path: 'webhooks/complycube/sandbox' }),
      ],
      providers: [HandlerJournal, WildcardHandlers],
    });
    try {
      const live = makeEvent('check.completed.clear');
      const sandbox = makeEvent('check.completed.clear');
      expect((await postWebhook(server.url('webhooks/complycube/live'), live, { secret: 'secret-live' })).status).toBe(200);
      expect((await postWebhook(server.url('webhooks/complycube/sandbox'), sandbox, { secret: 'secret-sandbox-next' })).status).toBe(200);
      expect((await postWebhook(server.url('webhooks/complycube/live'), live, { secret: 'secret-sandbox' })).status).toBe(401);
      expect((await postWebhook(server.url('webhooks/complycube/sandbox'), sandbox, { secret: 'secret-live' })).status).toBe(401);
      const journal = server.app.get(HandlerJournal);
      expect(journal.handlersFor(live.id)).toEqual(['*', 'check.**', 'check.completed.*']);
      expect(journal.handlersFor(sandbox.id)).toEqual(['*', 'check.**', 'check.completed.*']);
    } finally {
      await server.close();
    }
  });

  it('applies the decorators option, so a global auth guard lets ComplyCube through', async () => {
    const IS_PUBLIC = 'isPublic';
    const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
    @Injectable()
    class DenyUnlessPublicGuard implements CanActivate {
      constructor(private readonly reflector: Reflector) {}
      canActivate(context: ExecutionContext): boolean {
        return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true;
      }
    }
    const build = (decorators?: ClassDecorator[]) =>
      startTestApp({
        adapter,
        imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET, decorators })],
        providers: [HandlerJournal, WildcardHandlers, { provide: APP_GUARD, useClass: DenyUnlessPublicGuard }],
      });
    const event = makeEvent('client.created');
    const closed = await build();
    try {
      expect((await postWebhook(closed.url(), event, { secret: SECRET })).status).toBe(403);
    } finally {
      await closed.close();
    }
    const open = await build([Public()]);
    try {
      expect((await postWebhook(open.url(), event, { secret: SECRET })).status).toBe(200);
      expect(open.app.get(HandlerJournal).handlersFor(event.id)).toEqual(['*', '*.created']);
    } finally {
      await open.close();
    }
  });

  it("keeps its answer whatever an app's global interceptor does to responses; errors still reach the app's exception filter", async () => {
    @Injectable()
    class WrapInData implements NestInterceptor {
      intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
        return next.handle().pipe(map((data: unknown) => ({ data })));
      }
    }
    @Catch(HttpException)
    class StampErrors implements ExceptionFilter {
      catch(exception: HttpException, host: ArgumentsHost): void {
        const response = host.switchToHttp().getResponse<{ status?: (code: number) => unknown; code?: (code: number) => unknown }>();
        const reply = (adapter === 'express' ? response.status?.(exception.getStatus()) : response.code?.(exception.getStatus())) as {
          send(body: unknown): unknown;
        };
        reply.send({ stamped: true, statusCode: exception.getStatus() });
      }
    }
    const server = await startTestApp({
      adapter,
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [
        HandlerJournal,
        WildcardHandlers,
        { provide: APP_INTERCEPTOR, useClass: WrapInData },
        { provide: APP_FILTER, useClass: StampErrors },
      ],
    });
    try {
      const event = makeEvent('client.created');
      const handled = await postWebhook(server.url(), event, { secret: SECRET });
      expect(handled.status).toBe(200);
      expect(handled.text).toBe('{"received":true}');
      // Written by the endpoint itself: its own type and length, and no ETag hashed from the body.
      expect(handled.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(handled.headers.get('content-length')).toBe('17');
      expect(handled.headers.get('etag')).toBeNull();
      expect((await postWebhook(server.url(), event, { secret: SECRET })).text).toBe('{"received":true,"duplicate":true}');
      server.app.get(HandlerJournal).failing.add('*');
      const failed = await postWebhook(server.url(), makeEvent('client.created'), { secret: SECRET });
      expect(failed.status).toBe(500);
      expect(failed.json).toEqual({ stamped: true, statusCode: 500 });
    } finally {
      await server.close();
    }
  });

  it('lets an app put ComplyCubeSignatureGuard on its own controller', async () => {
    @Controller('my-hook')
    @UseGuards(ComplyCubeSignatureGuard)
    class MyWebhookController {
      received: unknown[] = [];
      @Post()
      @HttpCode(204)
      receive(): void {
        this.received.push(true);
      }
    }
    @Module({ imports: [ComplyCubeWebhookModule.forRoot({ secret: SECRET })], controllers: [MyWebhookController] })
    class MyWebhookModule {}
    const server = await startTestApp({ adapter, imports: [EventEmitterModule.forRoot(), MyWebhookModule] });
    try {
      const event = makeEvent('client.created');
      expect((await postWebhook(server.url('my-hook'), event, { secret: SECRET })).status).toBe(204);
      expect((await postWebhook(server.url('my-hook'), event, { secret: 'forged' })).status).toBe(401);
      expect(server.app.get(MyWebhookController).received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

// Express has no per-reply serializer; the interceptor test above covers its answer there.
describe('the answer on Fastify', () => {
  it("keeps its answer when an app's Fastify hook sets a serializer on every reply", async () => {
    const server = await startTestApp({
      adapter: 'fastify',
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, WildcardHandlers],
      beforeListen: (app) => {
        type Reply = { serializer(fn: (payload: unknown) => string): unknown };
        const fastify = app.getHttpAdapter().getInstance() as {
          addHook(name: 'preHandler', hook: (request: unknown, reply: Reply, done: () => void) => void): void;
        };
        fastify.addHook('preHandler', (_request, reply, done) => {
          reply.serializer((payload) => JSON.stringify({ data: payload }));
          done();
        });
      },
    });
    try {
      const handled = await postWebhook(server.url(), makeEvent('client.created'), { secret: SECRET });
      expect(handled.status).toBe(200);
      expect(handled.text).toBe('{"received":true}');
    } finally {
      await server.close();
    }
  });
});

describe('start-up logging', () => {
  it('logs the route with its global prefix and each handler with its patterns, never the secret', async () => {
    const logger = new RecordingLogger();
    const server = await startTestApp({
      adapter: 'express',
      logger,
      globalPrefix: 'api',
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET, path: 'hooks/kyc' })],
      providers: [HandlerJournal, WildcardHandlers],
    });
    await server.close();
    const messages = logger.lines.map((line) => line.message);
    expect(messages).toContain(
      "Receiving ComplyCube webhooks at POST /api/hooks/kyc; idempotency records in MemoryIdempotencyStore (this process only), scoped to 'hooks/kyc'",
    );
    expect(messages).toContain('WildcardHandlers.onAnyCompletedOutcome handles check.completed.*');
    expect(messages).toContain('WildcardHandlers.onEverything handles *');
    expect(logger.text()).not.toContain(SECRET);
  });
});

describe('wildcard routing', () => {
  it('matches exact types, one segment with *, any number with **, and everything with a bare *', async () => {
    const server = await startTestApp({
      adapter: 'express',
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, WildcardHandlers],
    });
    const journal = server.app.get(HandlerJournal);
    const expectations: Array<[string, string[]]> = [
      ['check.completed.rejected', ['*', 'check.**', 'check.completed.*']],
      ['check.completed', ['*', 'check.**']],
      ['check.pending', ['*', 'check.**']],
      ['client.created', ['*', '*.created']],
      ['document.updated.image_uploaded', ['*']],
      ['brand.new.type.from.complycube', ['*']],
    ];
    try {
      for (const [type, handlers] of expectations) {
        const event = makeEvent(type);
        expect((await postWebhook(server.url(), event, { secret: SECRET })).status).toBe(200);
        expect([type, journal.handlersFor(event.id)]).toEqual([type, handlers]);
      }
    } finally {
      await server.close();
    }
  });

  it('also reaches events the app emits itself, without the endpoint', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, WildcardHandlers],
    }).compile();
    const app = await moduleRef.init();
    try {
      const event = makeEvent('client.created') as ComplyCubeEvent<string>;
      await app.get(EventEmitter2).emitAsync('complycube.client.created', event);
      expect(app.get(HandlerJournal).handlersFor(event.id)).toEqual(['*', '*.created']);
    } finally {
      await app.close();
    }
  });
});

describe('start-up errors', () => {
  const start = async (metadata: Parameters<typeof Test.createTestingModule>[0]) => {
    const moduleRef = await Test.createTestingModule(metadata).setLogger(new RecordingLogger()).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } finally {
      await app.close().catch(() => undefined);
    }
  };

  it('fails when a handler uses a wildcard and the emitter is not in wildcard mode, saying so', async () => {
    await expect(
      start({
        imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
        providers: [HandlerJournal, WildcardHandlers],
      }),
    ).rejects.toThrow(/wildcard pattern 'check\.completed\.\*'.*EventEmitterModule\.forRoot\(\{ wildcard: true \}\)/);
  });

  it('fails when the app has no EventEmitter2, saying what to import', async () => {
    await expect(start({ imports: [ComplyCubeWebhookModule.forRoot({ secret: SECRET })] })).rejects.toThrow(
      new ComplyCubeWebhookConfigurationError(
        "ComplyCubeWebhookModule needs an EventEmitter2: add EventEmitterModule.forRoot() (from '@nestjs/event-emitter') to your AppModule imports.",
      ),
    );
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['whitespace only', ' \t '],
    ['missing', undefined],
    ['an empty list', []],
    ['a list with a blank entry', ['whsec_ok', '']],
  ])('fails when the secret is %s', async (_name, secret) => {
    await expect(
      start({ imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: secret as string })] }),
    ).rejects.toThrow(ComplyCubeWebhookConfigurationError);
  });

  it('fails forRootAsync when the factory yields a blank secret', async () => {
    await expect(
      start({
        imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRootAsync({ useFactory: async () => ({ secret: '  ' }) })],
      }),
    ).rejects.toThrow(/secret must be a non-empty string/);
  });

  it.each(['path', 'name', 'decorators', 'isGlobal'])(
    'fails when a forRootAsync factory returns the route option %s, saying where it goes',
    async (option) => {
      await expect(
        start({
          imports: [
            EventEmitterModule.forRoot(),
            ComplyCubeWebhookModule.forRootAsync({
              useFactory: async () => ({ secret: SECRET, [option]: option === 'isGlobal' ? true : 'x' }),
            }),
          ],
        }),
      ).rejects.toThrow(
        `${option} is fixed when the module is imported, so it cannot come from a forRootAsync factory: write ComplyCubeWebhookModule.forRootAsync({ ${option}: ..., useFactory })`,
      );
    },
  );

  it('fails for an option the module does not know, suggesting the one meant', async () => {
    await expect(
      start({
        imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET, handlerTimeout: 5000 } as never)],
      }),
    ).rejects.toThrow(/handlerTimeout is not an option \(known: .*\)\. Did you mean handlerTimeoutMs\?/);
  });

  it('fails when a forRootAsync factory returns no options object', async () => {
    await expect(
      start({
        imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRootAsync({ useFactory: async () => undefined as never })],
      }),
    ).rejects.toThrow(/the options must be an object such as \{ secret \}/);
  });

  it.each([
    ['the same path', 'webhooks/complycube', 'webhooks/complycube'],
    ['the same path spelt with other slashes and case', '/hooks/KYC/', 'hooks/kyc'],
  ])('fails when two registrations use %s, naming it', async (_name, first, second) => {
    await expect(
      start({
        imports: [
          EventEmitterModule.forRoot(),
          ComplyCubeWebhookModule.forRoot({ secret: 'one', path: first }),
          ComplyCubeWebhookModule.forRoot({ secret: 'two', path: second }),
        ],
      }),
    ).rejects.toThrow(`Two ComplyCubeWebhookModule registrations use the path "${second}"`);
  });

  it('fails when two handlers share a key, naming both', async () => {
    @Injectable()
    class First {
      @OnComplyCubeEvent('client.created', { key: 'welcome-email' })
      handle(): void {}
    }
    @Injectable()
    class Second {
      @OnComplyCubeEvent('client.updated', { key: 'welcome-email' })
      handle(): void {}
    }
    await expect(
      start({ imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET })], providers: [First, Second] }),
    ).rejects.toThrow(/share the key "welcome-email" \(First\.handle and Second\.handle\)/);
  });

  it('rejects a malformed pattern when the class is declared', () => {
    expect(() => OnComplyCubeEvent('check..completed' as never)).toThrow(/not an event pattern/);
    expect(() => OnComplyCubeEvent([])).toThrow(/at least one/);
    expect(() => OnComplyCubeEvent('check.*x' as never)).toThrow(/not an event pattern/);
    expect(() => OnComplyCubeEvent('**.*.cancelled')).toThrow(/'\*\*' may not stand next to another wildcard/);
  });
});
