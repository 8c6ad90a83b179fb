import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createComplyCubeEvent, deliverComplyCubeEvent, sendComplyCubeEvent } from 'nestjs-complycube-webhooks/testing';
import { AppModule } from '../../sample/app.module';
import { ReviewQueue } from '../../sample/checks/review-queue.service';

const secret = 'whsec_test_only';

describe('ComplyCube webhooks', () => {
  let app: INestApplication;
  const reviewQueue = { add: jest.fn() };

  beforeAll(async () => {
    process.env.COMPLYCUBE_WEBHOOK_SECRET = secret; // what the app's ConfigModule reads
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(ReviewQueue)
      .useValue(reviewQueue)
      .compile();
    app = moduleRef.createNestApplication({ rawBody: true, logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => reviewQueue.add.mockReset());

  it('queues a rejected check for review', async () => {
    const event = createComplyCubeEvent('check.completed.rejected');

    const response = await sendComplyCubeEvent(app, event, { secret });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true });
    expect(reviewQueue.add).toHaveBeenCalledWith(event.payload.id);
  });

  it('answers 401 to a forged event and runs nothing', async () => {
    const event = createComplyCubeEvent('check.completed.rejected');

    const response = await sendComplyCubeEvent(app, event, { secret: 'not-the-secret' });

    expect(response.status).toBe(401);
    expect(reviewQueue.add).not.toHaveBeenCalled();
  });

  it('answers 500 when a handler fails, so that ComplyCube delivers again', async () => {
    reviewQueue.add.mockRejectedValueOnce(new Error('review queue unavailable'));

    const receipt = await deliverComplyCubeEvent(app, createComplyCubeEvent('check.completed.rejected'));

    expect(receipt.status).toBe(500);
    expect(reviewQueue.add).toHaveBeenCalledTimes(1);
  });
});
