import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { getQueueToken } from '@nestjs/bull-shared';
import { Injectable, Logger, ModuleMetadata } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  ComplyCubeDeadLetter,
  ComplyCubeQueueOptions,
  ComplyCubeWebhookModule,
  OnComplyCubeEvent,
  RedisIdempotencyStore,
} from 'nestjs-complycube-webhooks';
import { RecordingLogger, startTestApp, TestApp } from '../utils/app';
import { hexId, makeEvent } from '../utils/events';
import { postWebhook } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';
import { waitFor } from '../utils/wait';

const SECRET = 'whsec_bull_board_secret';

/** A handler that can never succeed: every event it takes becomes a dead letter. */
@Injectable()
class PoisonedCaseManagement {
  @OnComplyCubeEvent('check.completed.rejected')
  async openCase(): Promise<void> {
    throw new Error('case management refused the check');
  }
}

/** What the dashboard's `GET /api/queues` says of one queue (the fields this suite reads). */
interface BoardQueue {
  name: string;
  counts: Record<string, number>;
  jobs: Array<{ id: string; name: string; attempts: number; failedReason?: string; data: { event: { id: string } } }>;
}

/**
 * Operators watch queue mode in Bull Board (`@bull-board/nestjs`), as the README shows: the board is
 * mounted on the package's BullMQ queue, and a dead letter is a failed job there, with the package's
 * job id and the failed handlers as its failed reason.
 */
describeWithRedis('the Bull Board dashboard on the queue of queue mode', () => {
  let redis: RedisServer;
  let client: Redis;
  const closing: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    client = new Redis(redis.url);
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
    Logger.flush();
  });

  /** An Express app in queue mode with one attempt per job and the board at /queues, and the dead letters it reported. */
  async function startApp(
    queue: ComplyCubeQueueOptions,
    board: Required<Pick<ModuleMetadata, 'imports'>> & Pick<ModuleMetadata, 'providers'>,
  ) {
    const deadLetters: ComplyCubeDeadLetter[] = [];
    const server: TestApp = await startTestApp({
      adapter: 'express',
      logger: new RecordingLogger(),
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({
          secret: SECRET,
          idempotency: { store: new RedisIdempotencyStore({ client, keyPrefix: `board-${hexId()}` }) },
          queue: { attempts: 1, ...queue },
          onDeadLetter: (deadLetter) => void deadLetters.push(deadLetter),
        }),
        BullBoardModule.forRoot({ route: '/queues', adapter: ExpressAdapter }),
        ...board.imports,
      ],
      providers: [PoisonedCaseManagement, ...(board.providers ?? [])],
    });
    closing.push(() => server.close());
    return { server, deadLetters };
  }

  /** Sends an event its handler always fails, and waits for the worker to make it a dead letter. */
  async function deadLetterOf(app: { server: TestApp; deadLetters: ComplyCubeDeadLetter[] }) {
    const event = makeEvent('check.completed.rejected');
    const answer = await postWebhook(app.server.url(), event, { secret: SECRET });
    expect([answer.status, answer.json]).toEqual([200, { received: true, queued: true }]);
    await waitFor('the job to become a dead letter', () => app.deadLetters.length === 1);
    return event;
  }

  /** The dashboard's view of one queue, with its failed jobs, read over HTTP as its UI reads it. */
  async function readBoardQueue(server: TestApp, name: string): Promise<BoardQueue | undefined> {
    const response = await fetch(server.url(`queues/api/queues?activeQueue=${encodeURIComponent(name)}&status=failed&page=1`));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: BoardQueue[] };
    return body.queues.find((queue) => queue.name === name);
  }

  function expectDeadLetterListed(listed: BoardQueue | undefined, event: Record<string, any>): void {
    expect(listed?.counts).toMatchObject({ failed: 1, completed: 0, waiting: 0, active: 0 });
    expect(listed?.jobs).toHaveLength(1);
    const [job] = listed!.jobs;
    // The package's job id: complycube/<scope, URI-encoded>/<event id>; the unnamed registration's scope is its path.
    expect(job.id).toBe(`complycube/${encodeURIComponent('webhooks/complycube')}/${event.id}`);
    expect(job.name).toBe('check.completed.rejected');
    expect(job.attempts).toBe(1);
    expect(job.failedReason).toBe('Delivery ended failed: PoisonedCaseManagement.openCase');
    expect(job.data.event.id).toBe(event.id);
  }

  it('lists the failed job of a dead letter, on the Queue the app gives to queue: { queue }', async () => {
    const queue = new Queue(`board-given-${hexId()}`, { connection: client });
    closing.push(() => queue.close());
    const app = await startApp({ queue }, { imports: [BullBoardModule.forFeature({ queue, adapter: BullMQAdapter })] });

    const event = await deadLetterOf(app);

    expectDeadLetterListed(await readBoardQueue(app.server, queue.name), event);
  });

  it('lists the failed job of a dead letter, on a queue registered by name next to queue: { connection }', async () => {
    const name = `board-named-${hexId()}`;
    const boardQueue = new Queue(name, { connection: client });
    closing.push(() => boardQueue.close());
    const app = await startApp(
      { connection: client, name },
      {
        // What @nestjs/bullmq's registerQueue provides; the board finds the queue by this token.
        imports: [BullBoardModule.forFeature({ name, adapter: BullMQAdapter })],
        providers: [{ provide: getQueueToken(name), useValue: boardQueue }],
      },
    );

    const event = await deadLetterOf(app);

    expectDeadLetterListed(await readBoardQueue(app.server, name), event);
  });
});
