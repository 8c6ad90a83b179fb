import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COMPLYCUBE_EVENT_TYPES, ComplyCubeEvent, ComplyCubeEventType } from '../index';
import { isComplyCubeEventType } from '../events/event-types';

/**
 * The package's sample events, one `<type>.json` per documented type. The folder sits at the
 * package root, two levels above this file both in the sources (lib/testing) and in the build
 * (dist/testing).
 */
export const COMPLYCUBE_EVENT_FIXTURES_DIR = resolve(__dirname, '..', '..', 'fixtures', 'events');

const cache = new Map<string, string>();

/** A fresh copy of the sample event of `type`, exactly as stored (fixed ids and timestamps). */
export function loadComplyCubeEventFixture<T extends ComplyCubeEventType>(type: T): ComplyCubeEvent<T> {
  if (!isComplyCubeEventType(type)) {
    throw new TypeError(
      `Unknown ComplyCube event type ${JSON.stringify(type)}; the documented types are: ${COMPLYCUBE_EVENT_TYPES.join(', ')}.`,
    );
  }
  let text = cache.get(type);
  if (text === undefined) {
    text = readFileSync(join(COMPLYCUBE_EVENT_FIXTURES_DIR, `${type}.json`), 'utf8');
    cache.set(type, text);
  }
  return JSON.parse(text) as ComplyCubeEvent<T>;
}
