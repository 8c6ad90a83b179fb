import 'reflect-metadata';
import { StripeModule, StripeWebhookHandler } from '@golevelup/nestjs-stripe';
import { Injectable, Module } from '@nestjs/common';
import Stripe from 'stripe';
import { STRIPE_BENCH_API_KEY, STRIPE_BENCH_EVENT_TYPE, STRIPE_BENCH_SECRET } from '../events';
import { recordHandledEvent, serveBenchCase } from '../server-harness';
import { nestBenchApp } from './nest-app';

/**
 * Case H, a peer module doing the same job: @golevelup/nestjs-stripe on Express, verifying a
 * Stripe-signed event of the same size (raw body from Nest's `rawBody: true`) and routing it to
 * one handler. It answers 201 with an empty body, on POST /stripe/webhook.
 */
@Injectable()
class CustomerHandlers {
  @StripeWebhookHandler(STRIPE_BENCH_EVENT_TYPE)
  onCustomerUpdated(event: Stripe.Event): void {
    recordHandledEvent(event);
  }
}

@Module({
  imports: [
    StripeModule.forRoot({
      apiKey: STRIPE_BENCH_API_KEY,
      webhookConfig: { stripeSecrets: { accountTest: STRIPE_BENCH_SECRET }, requestBodyProperty: 'rawBody' },
    }),
  ],
  providers: [CustomerHandlers],
})
class StripeBenchAppModule {}

serveBenchCase(async () => nestBenchApp(StripeBenchAppModule, 'express'));
