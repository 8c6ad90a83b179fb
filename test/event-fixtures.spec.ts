import { COMPLYCUBE_EVENT_TYPES, findComplyCubeEventProblem } from 'nestjs-complycube-webhooks';
import { COMPLYCUBE_EVENT_FIXTURES_DIR, loadComplyCubeEventFixture } from 'nestjs-complycube-webhooks/testing';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
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
      if (type === 'check.pending') expect(payload).toMatchObject({ status: 'pending', type: expect.any(String), clientId: expect.any(String) });
    } else {
      expect(type.startsWith('workflow.session.')).toBe(true);
      expect(keys).toContain('id');
    }
  });

  it('ship in the npm package', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }));
    const shipped = (pack.files as Array<{ path: string }>).map((file) => file.path).filter((path) => path.startsWith('fixtures/'));
    expect(shipped.sort()).toEqual(COMPLYCUBE_EVENT_TYPES.map((type) => `fixtures/events/${type}.json`).sort());
  });
});
