import { Injectable } from '@nestjs/common';

/** Why a request was turned away before any handler ran. */
export type ComplyCubeRejectionReason = 'signature' | 'mediaType' | 'body' | 'rawBodyMissing';

export type ComplyCubeCounterName =
  | 'received'
  | 'verified'
  | 'handled'
  | 'duplicates'
  | 'inFlightConflicts'
  | 'handlerFailures'
  | 'timeouts'
  | 'abandoned'
  | 'storeErrors'
  | 'queued'
  | 'queueErrors'
  | 'jobFailures'
  | 'deadLettered';

/** A snapshot of the counters since the application started. */
export interface ComplyCubeWebhookCounters {
  /** Requests that reached the signature guard. */
  received: number;
  /** Requests whose signature was valid. */
  verified: number;
  /** Requests rejected before any handler ran: 401 signature, 415 media type, 400 body, 500 raw body missing. */
  rejected: Record<ComplyCubeRejectionReason, number>;
  /** Events whose every matching handler succeeded (answered 200 without a queue; a completed job with one). */
  handled: number;
  /** Events found handled before: answered 200 `duplicate`, or a job that ran nothing. */
  duplicates: number;
  /** Deliveries that found another delivery of the same id being handled (409 without a queue; a job delayed with one). */
  inFlightConflicts: number;
  /** Handler runs that threw or rejected. */
  handlerFailures: number;
  /** Events answered 503 because handlers were still running at the deadline. */
  timeouts: number;
  /** Deliveries given up because handlers were still unsettled after `abandonAfterMs`. */
  abandoned: number;
  /** Failed idempotency store operations (each one that answered 503 and each background write). */
  storeErrors: number;
  /** Queue mode: events stored as new jobs (answered 200 `queued`). */
  queued: number;
  /** Queue mode: deliveries answered 503 because Redis did not store the job in time. */
  queueErrors: number;
  /** Queue mode: job attempts that ended with a handler failure, an abandonment or a store error. */
  jobFailures: number;
  /** Events set aside as dead letters: jobs out of attempts, or (without a queue) the Nth failed delivery. */
  deadLettered: number;
}

/** How long one handler ran for one event, and how it ended. */
export interface ComplyCubeHandlerObservation {
  handlerKey: string;
  /** The registration's name, else its scope. */
  registration: string;
  outcome: 'succeeded' | 'failed';
  seconds: number;
}

/** How long one delivery took (over HTTP, or one job attempt in a worker), and how it ended. */
export interface ComplyCubeDeliveryObservation {
  registration: string;
  mode: 'http' | 'worker';
  /** `handled`, `duplicate`, `in-flight`, `failed`, `timeout`, `abandoned`, `store-error`, `queued`, `queue-error`, `dead-lettered`... */
  outcome: string;
  seconds: number;
}

/** What an exporter receives beyond the counters: the durations, as they happen. */
export interface ComplyCubeMetricsObserver {
  handlerSettled?(observation: ComplyCubeHandlerObservation): void;
  deliveryEnded?(observation: ComplyCubeDeliveryObservation): void;
}

/**
 * Counters of the app's ComplyCube webhook traffic, across every endpoint of the app, and the
 * durations of handlers and deliveries for the exporters that subscribe (the Prometheus entry point,
 * OpenTelemetry metrics). Inject it to read `snapshot()` or to export the numbers yourself.
 */
@Injectable()
export class ComplyCubeWebhookMetrics {
  private readonly counts = new Map<ComplyCubeCounterName, number>();
  private readonly rejections = new Map<ComplyCubeRejectionReason, number>();
  private readonly observers: ComplyCubeMetricsObserver[] = [];

  /** Whether anything subscribed to the durations (nothing times them otherwise). */
  get observed(): boolean {
    return this.observers.length > 0;
  }

  /** Receives the durations from now on; returns the function that unsubscribes. */
  subscribe(observer: ComplyCubeMetricsObserver): () => void {
    this.observers.push(observer);
    return () => {
      const index = this.observers.indexOf(observer);
      if (index >= 0) this.observers.splice(index, 1);
    };
  }

  handlerSettled(observation: ComplyCubeHandlerObservation): void {
    for (const observer of this.observers) observer.handlerSettled?.(observation);
  }

  deliveryEnded(observation: ComplyCubeDeliveryObservation): void {
    for (const observer of this.observers) observer.deliveryEnded?.(observation);
  }

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
      queued: get('queued'),
      queueErrors: get('queueErrors'),
      jobFailures: get('jobFailures'),
      deadLettered: get('deadLettered'),
    };
  }
}
