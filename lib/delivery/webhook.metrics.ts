import { Injectable } from '@nestjs/common';

/** Why a request was turned away before any handler ran. */
export type ComplyCubeRejectionReason = 'signature' | 'mediaType' | 'body' | 'rawBodyMissing';

export type ComplyCubeCounterName =
  'received' | 'verified' | 'handled' | 'duplicates' | 'inFlightConflicts' | 'handlerFailures' | 'timeouts' | 'abandoned' | 'storeErrors';

/** A snapshot of the counters since the application started. */
export interface ComplyCubeWebhookCounters {
  /** Requests that reached the signature guard. */
  received: number;
  /** Requests whose signature was valid. */
  verified: number;
  /** Requests rejected before any handler ran: 401 signature, 415 media type, 400 body, 500 raw body missing. */
  rejected: Record<ComplyCubeRejectionReason, number>;
  /** Events answered 200 after every matching handler succeeded. */
  handled: number;
  /** Events answered 200 `duplicate` because they had been handled before. */
  duplicates: number;
  /** Events answered 409 because another delivery of the same id was being handled. */
  inFlightConflicts: number;
  /** Handler runs that threw or rejected. */
  handlerFailures: number;
  /** Events answered 503 because handlers were still running at the deadline. */
  timeouts: number;
  /** Deliveries given up because handlers were still unsettled after `abandonAfterMs`. */
  abandoned: number;
  /** Failed idempotency store operations (each one that answered 503 and each background write). */
  storeErrors: number;
}

/**
 * Counters of the app's ComplyCube webhook traffic, across every endpoint of the app. Inject it to
 * export the numbers to your metrics system.
 */
@Injectable()
export class ComplyCubeWebhookMetrics {
  private readonly counts = new Map<ComplyCubeCounterName, number>();
  private readonly rejections = new Map<ComplyCubeRejectionReason, number>();

  count(counter: ComplyCubeCounterName, by = 1): void {
    this.counts.set(counter, (this.counts.get(counter) ?? 0) + by);
  }

  /** Counts one rejection and returns how many there have been for that reason. */
  countRejection(reason: ComplyCubeRejectionReason): number {
    const count = (this.rejections.get(reason) ?? 0) + 1;
    this.rejections.set(reason, count);
    return count;
  }

  snapshot(): ComplyCubeWebhookCounters {
    const get = (counter: ComplyCubeCounterName): number => this.counts.get(counter) ?? 0;
    const rejected = (reason: ComplyCubeRejectionReason): number => this.rejections.get(reason) ?? 0;
    return {
      received: get('received'),
      verified: get('verified'),
      rejected: {
        signature: rejected('signature'),
        mediaType: rejected('mediaType'),
        body: rejected('body'),
        rawBodyMissing: rejected('rawBodyMissing'),
      },
      handled: get('handled'),
      duplicates: get('duplicates'),
      inFlightConflicts: get('inFlightConflicts'),
      handlerFailures: get('handlerFailures'),
      timeouts: get('timeouts'),
      abandoned: get('abandoned'),
      storeErrors: get('storeErrors'),
    };
  }
}
