import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import type { Signing } from './cases';
import {
  complyCubeEventTemplate,
  EventTemplate,
  fillTemplate,
  newEventId,
  newStripeEventId,
  signComplyCube,
  signStripe,
  stripeEventTemplate,
} from './events';
import { cpuMicros, DriverMessage, handledEvents, Inject, InjectedRequest, sendToDriver } from './server-harness';

/** The deliveries of one case, and the answer each signed one must get. */
export interface PipelineDelivery {
  path: string;
  signing: Signing;
  bodyBytes: number;
  accepted: { status: number; body: string };
}

export interface PipelineSliceRequest {
  delivery: PipelineDelivery;
  /** Requests in this slice. */
  requests: number;
  /**
   * Set on a round's first slice: sign this many requests (the whole round's) before it, and count
   * CPU from there. Later slices count CPU from where the slice before them ended.
   */
  signRound?: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Write a V8 CPU profile of the measured part of this slice, as `<name>.cpuprofile`. */
  profile?: { name: string };
}

/** What one slice measured. */
export interface PipelineSliceResult {
  requests: number;
  /**
   * Process CPU time (user + system, all threads) from the end of the slice before it in the same
   * round (or, for a round's first slice, from the end of signing) to its own end: the garbage
   * collector's threads finishing work between slices are counted too. Signing is not.
   */
  cpuMicros: number;
  /** Wall time of sending the slice's requests. */
  wallMicros: number;
  /** Events the handlers recorded during the slice: one per accepted delivery. */
  handled: number;
  /** Answers other than the expected status and body, and the first of them. */
  unexpected: number;
  firstUnexpected?: string;
  /** The CPU profile written for this slice. */
  profile?: string;
}

/** One case's round: its slices added up by the driver. */
export interface PipelineRoundResult extends Omit<PipelineSliceResult, 'profile'> {
  /** The CPU profiles of the round's slices, with --cpu-prof. */
  profiles?: string[];
}

export interface ProbeResult {
  accepted: { status: number; body: string };
  forged: { status: number; body: string };
  /** Events the handlers recorded for the two requests (1 when only the signed one ran them). */
  handled: number;
}

/** Where a profiling bench process writes its rounds' profiles (set by the driver with --cpu-prof). */
export const PIPELINE_PROFILE_DIR_ENV = 'BENCH_PIPELINE_PROFILE_DIR';

/** Sampling interval of the rounds' CPU profiles: fine enough to see functions of a microsecond per request. */
const PROFILE_SAMPLING_MICROS = 250;

const templates = new Map<string, EventTemplate>();

function templateFor(signing: Signing, bodyBytes: number): EventTemplate {
  const key = `${signing}:${bodyBytes}`;
  let template = templates.get(key);
  if (!template) {
    template = signing === 'stripe' ? stripeEventTemplate(bodyBytes) : complyCubeEventTemplate(bodyBytes);
    templates.set(key, template);
  }
  return template;
}

/** A fresh event id and its own signature, as a real delivery has; `forged` spoils the signature's last digit. */
function signedRequest(delivery: PipelineDelivery, forged = false): InjectedRequest {
  const template = templateFor(delivery.signing, delivery.bodyBytes);
  const stripe = delivery.signing === 'stripe';
  const body = fillTemplate(template, stripe ? newStripeEventId() : newEventId());
  let signature = stripe ? signStripe(body) : signComplyCube(body);
  if (forged) signature = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
  return {
    method: 'POST',
    url: delivery.path,
    headers: { 'content-type': 'application/json', [stripe ? 'stripe-signature' : 'complycube-signature']: signature },
    payload: Buffer.from(body),
  };
}

async function probe(inject: Inject, delivery: PipelineDelivery): Promise<ProbeResult> {
  const handledBefore = handledEvents();
  const accepted = await inject(signedRequest(delivery));
  const forged = await inject(signedRequest(delivery, true));
  return {
    accepted: { status: accepted.statusCode, body: accepted.payload },
    forged: { status: forged.statusCode, body: forged.payload },
    handled: handledEvents() - handledBefore,
  };
}

let profiler: Session | undefined;

async function startProfiler(): Promise<Session> {
  if (!profiler) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: PROFILE_SAMPLING_MICROS });
  }
  await profiler.post('Profiler.start');
  return profiler;
}

/** The round's requests, signed at its first slice, and the CPU reading the next slice counts from. */
let round: { requests: InjectedRequest[]; next: number; countedFrom: number } | undefined;

/**
 * One slice: the next `requests` of the round's deliveries (signed at the round's first slice), sent
 * `concurrency` at a time; the CPU time since the slice before it ended and the wall time of sending
 * them, and whether each got the expected answer and ran the handler.
 */
async function runSlice(inject: Inject, slice: PipelineSliceRequest): Promise<PipelineSliceResult> {
  const { delivery, concurrency } = slice;
  if (slice.signRound !== undefined) {
    const signed = Array.from({ length: slice.signRound }, () => signedRequest(delivery));
    round = { requests: signed, next: 0, countedFrom: cpuMicros() };
  }
  if (!round || round.next + slice.requests > round.requests.length) {
    throw new Error(`A slice of ${slice.requests} requests asked for more than its round has signed.`);
  }
  const requests = round.requests.slice(round.next, round.next + slice.requests);
  round.next += slice.requests;
  const { status, body } = delivery.accepted;
  let next = 0;
  let unexpected = 0;
  let firstUnexpected: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const response = await inject(requests[next++]);
      if (response.statusCode !== status || response.payload !== body) {
        unexpected += 1;
        firstUnexpected ??= `${response.statusCode} ${response.payload.slice(0, 200)}`;
      }
    }
  };
  // No collection is forced first: a full collection (global.gc()) before each round made every case
  // cost about 80 µs more CPU per request over the round that followed, an artefact larger than the
  // differences measured. Each process collects as a server would, and its own garbage is its own cost:
  // CPU is counted from the end of the slice before, so what the collector's threads do between
  // slices is counted too (and the IPC of one message each way, the same in every case).
  const session = slice.profile ? await startProfiler() : undefined;
  const handledBefore = handledEvents();
  const wallBefore = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, lane));
  const wallMicros = (performance.now() - wallBefore) * 1000;
  const cpuAfter = cpuMicros();
  const cpu = cpuAfter - round.countedFrom;
  round.countedFrom = cpuAfter;
  const handled = handledEvents() - handledBefore;
  let profile: string | undefined;
  if (session && slice.profile) {
    const { profile: written } = await session.post('Profiler.stop');
    const dir = process.env[PIPELINE_PROFILE_DIR_ENV];
    if (!dir) throw new Error(`${PIPELINE_PROFILE_DIR_ENV} is not set: the driver names the profile directory.`);
    mkdirSync(dir, { recursive: true });
    profile = join(dir, `${slice.profile.name}.cpuprofile`);
    writeFileSync(profile, JSON.stringify(written));
    // Writing the profile is not the next slice's cost.
    round.countedFrom = cpuMicros();
  }
  return { requests: requests.length, cpuMicros: cpu, wallMicros, handled, unexpected, firstUnexpected, profile };
}

/** In a bench process of the pipeline bench: answers the driver's probes and slices, one at a time. */
export function servePipelineRounds(inject: Inject): void {
  let busy: Promise<void> = Promise.resolve();
  process.on('message', (message: DriverMessage) => {
    if (message.type === 'probe') {
      busy = busy.then(async () => sendToDriver({ type: 'probed', result: await probe(inject, message.delivery) }));
    } else if (message.type === 'slice') {
      busy = busy.then(async () => sendToDriver({ type: 'slice-done', result: await runSlice(inject, message.slice) }));
    } else {
      return;
    }
    busy = busy.catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
}
