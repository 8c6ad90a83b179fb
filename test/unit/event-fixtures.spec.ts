import { COMPLYCUBE_EVENT_TYPES } from 'nestjs-complycube-webhooks';
import { findComplyCubeEventProblem } from '../../lib/events/event-envelope';
import { COMPLYCUBE_EVENT_FIXTURES_DIR, createComplyCubeEvent, loadComplyCubeEventFixture } from 'nestjs-complycube-webhooks/testing';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const HEX_ID = /^[0-9a-f]{24}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const RESOURCE_TYPES: Record<string, string> = {
  workflow: 'workflowSession',
  check: 'check',
  client: 'client',
  document: 'document',
  address: 'address',
};
const CHECK_SUMMARY = ['createdAt', 'id', 'outcome', 'status', 'updatedAt'];

/** Every ComplyCube `id` / `...Id` value (not the app's `externalId`) and every `createdAt` / `updatedAt`, at any depth. */
function collect(value: unknown, found: { ids: string[]; timestamps: string[] } = { ids: [], timestamps: [] }) {
  if (Array.isArray(value)) value.forEach((item) => collect(item, found));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, field] of Object.entries(value)) {
      if (key === 'id' || (key.endsWith('Id') && key !== 'externalId')) found.ids.push(field as string);
      else if (key === 'createdAt' || key === 'updatedAt') found.timestamps.push(field as string);
      else collect(field, found);
    }
  }
  return found;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;
const secondsOf = (timestamp: string): number => Math.floor(Date.parse(timestamp) / 1000);
/** The creation time a MongoDB ObjectId holds: seconds since 1970 in its first 4 bytes. */
const objectIdSeconds = (id: string): number => parseInt(id.slice(0, 8), 16);

/**
 * How an event's ids fail to look like ComplyCube's: every id (`id`, `clientId`, `checkId`, ...)
 * must be an ObjectId, an object's id must hold that object's `createdAt` (to the second), and
 * nothing the event names may have been created after the event.
 */
function objectIdProblems(event: object): string[] {
  const problems: string[] = [];
  const eventCreatedAt = (event as { createdAt?: unknown }).createdAt;
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${path}[${index}]`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const object = value as Record<string, unknown>;
    for (const [key, field] of Object.entries(object)) {
      if (key !== 'id' && !(key.endsWith('Id') && key !== 'externalId')) continue;
      if (typeof field !== 'string' || !OBJECT_ID.test(field)) problems.push(`${path}.${key} ${JSON.stringify(field)} is not an ObjectId`);
      else if (typeof eventCreatedAt === 'string' && objectIdSeconds(field) > secondsOf(eventCreatedAt)) {
        problems.push(`${path}.${key} ${field} was created after the event (${eventCreatedAt})`);
      }
    }
    if (typeof object.id === 'string' && OBJECT_ID.test(object.id) && typeof object.createdAt === 'string') {
      const idTime = new Date(objectIdSeconds(object.id) * 1000).toISOString();
      if (objectIdSeconds(object.id) !== secondsOf(object.createdAt))
        problems.push(`${path}.id holds ${idTime}, not its createdAt ${object.createdAt}`);
    }
    for (const [key, field] of Object.entries(object)) visit(field, `${path}.${key}`);
  };
  visit(event, '$');
  return problems;
}

describe('event fixtures', () => {
  it('hold exactly one <type>.json per documented event type', () => {
    const files = readdirSync(COMPLYCUBE_EVENT_FIXTURES_DIR).sort();
    expect(files).toEqual(COMPLYCUBE_EVENT_TYPES.map((type) => `${type}.json`).sort());
    expect(relative(ROOT, COMPLYCUBE_EVENT_FIXTURES_DIR)).toBe(join('fixtures', 'events'));
  });

  it.each(COMPLYCUBE_EVENT_TYPES)('%s is a well-formed event with 24-hex ids and ISO timestamps', (type) => {
    const event = loadComplyCubeEventFixture(type);
    expect(findComplyCubeEventProblem(event)).toBeUndefined();
    expect(event.type).toBe(type);
    expect(event.resourceType).toBe(RESOURCE_TYPES[type.split('.')[0]]);
    const { ids, timestamps } = collect(event);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    for (const id of ids) expect(id).toMatch(HEX_ID);
    for (const timestamp of timestamps) expect(timestamp).toMatch(ISO_MS);
  });

  it.each(COMPLYCUBE_EVENT_TYPES)('%s carries the payload the reference describes for it', (type) => {
    const { payload } = loadComplyCubeEventFixture(type) as { payload: Record<string, unknown> };
    const keys = Object.keys(payload).sort();
    if (type.endsWith('.deleted')) {
      expect(keys).toEqual(['id']);
    } else if (type.includes('.updated') && !type.startsWith('workflow.')) {
      expect(keys).toContain('id');
      expect(keys.length).toBeGreaterThan(1);
    } else if (type === 'check.failed') {
      expect(keys).toEqual(['createdAt', 'id', 'status', 'updatedAt']);
      expect(payload.status).toBe('failed');
    } else if (type.startsWith('check.completed') || type === 'check.monitoring.attention') {
      expect(keys).toEqual(CHECK_SUMMARY);
      expect(payload.status).toBe('complete');
      const outcome = type.split('.')[2];
      expect(payload.outcome).toBe(outcome ?? 'clear');
    } else if (type === 'check.pending' || type.endsWith('.created')) {
      expect(keys).toEqual(expect.arrayContaining(['id', 'createdAt', 'updatedAt']));
      expect(payload.createdAt).toBe(payload.updatedAt);
      if (type === 'check.pending')
        expect(payload).toMatchObject({ status: 'pending', type: expect.any(String), clientId: expect.any(String) });
    } else {
      expect(type.startsWith('workflow.session.')).toBe(true);
      expect(keys).toContain('id');
    }
  });

  it.each(COMPLYCUBE_EVENT_TYPES)('%s has ObjectId ids whose time is the createdAt of what they name', (type) => {
    expect(objectIdProblems(loadComplyCubeEventFixture(type))).toEqual([]);
  });

  it('give an id shared by several samples one creation time', () => {
    const createdAtById = new Map<string, Set<string>>();
    for (const type of COMPLYCUBE_EVENT_TYPES) {
      const visit = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(visit);
        else if (typeof value === 'object' && value !== null) {
          const { id, createdAt } = value as Record<string, unknown>;
          if (typeof id === 'string' && typeof createdAt === 'string')
            createdAtById.set(id, (createdAtById.get(id) ?? new Set()).add(createdAt));
          Object.values(value).forEach(visit);
        }
      };
      visit(loadComplyCubeEventFixture(type).payload);
    }
    expect(createdAtById.size).toBeGreaterThan(5);
    for (const [id, createdAts] of createdAtById) expect([id, [...createdAts]]).toEqual([id, [expect.any(String)]]);
  });

  it.each(COMPLYCUBE_EVENT_TYPES)('%s, as createComplyCubeEvent builds it, keeps the ObjectId promises, created now', (type) => {
    const before = Math.floor(Date.now() / 1000);
    const event = createComplyCubeEvent(type);
    const after = Math.floor(Date.now() / 1000);
    expect(objectIdProblems(event)).toEqual([]);
    expect(objectIdSeconds(event.id)).toBeGreaterThanOrEqual(before);
    expect(objectIdSeconds(event.id)).toBeLessThanOrEqual(after);
  });

  it('the ObjectId check finds what it looks for', () => {
    const createdAt = '2020-05-29T20:30:54.964Z';
    expect(objectIdProblems({ id: '5ed170fe99c81a0007b9a3d3', createdAt, payload: { id: '5ed170fe99c81a0007b9a3d4', createdAt } })).toEqual(
      [],
    );
    expect(objectIdProblems({ id: '5ed170ff99c81a0007b9a3d3', createdAt, payload: {} })).toEqual([
      '$.id 5ed170ff99c81a0007b9a3d3 was created after the event (2020-05-29T20:30:54.964Z)',
      '$.id holds 2020-05-29T20:30:55.000Z, not its createdAt 2020-05-29T20:30:54.964Z',
    ]);
    expect(
      objectIdProblems({ id: 'evt_1', createdAt, payload: { clientId: 5, images: [{ id: '5ed170fd99c81a0007b9a3d3', createdAt }] } }),
    ).toEqual([
      '$.id "evt_1" is not an ObjectId',
      '$.payload.clientId 5 is not an ObjectId',
      '$.payload.images[0].id holds 2020-05-29T20:30:53.000Z, not its createdAt 2020-05-29T20:30:54.964Z',
    ]);
  });

  it('ship in the npm package', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }));
    const shipped = (pack.files as Array<{ path: string }>).map((file) => file.path).filter((path) => path.startsWith('fixtures/'));
    expect(shipped.sort()).toEqual(COMPLYCUBE_EVENT_TYPES.map((type) => `fixtures/events/${type}.json`).sort());
  });
});
