import { Logger } from '@nestjs/common';
import { QueueMode } from '../../lib/queue/queue-mode';
import { resolveQueueSettings } from '../../lib/queue/queue-options';

/** An ioredis-like client whose CONFIG and INFO answer as a host might: a value, or a refusal. */
function hostClient(answers: { config?: unknown; info?: string }) {
  const refuse = (command: string) => () => Promise.reject(new Error(`ERR unknown command '${command}'`));
  return {
    status: 'ready',
    duplicate: () => hostClient(answers),
    config: answers.config === undefined ? refuse('CONFIG') : () => Promise.resolve(answers.config),
    info: answers.info === undefined ? refuse('INFO') : () => Promise.resolve(answers.info),
    quit: () => Promise.resolve('OK'),
    disconnect: () => undefined,
  };
}

/** Queue mode over a BullMQ Queue the app gives, on a client of the given host; returns what it logged. */
async function checkOn(answers: { config?: unknown; info?: string }): Promise<{ warnings: string[]; logs: string[] }> {
  const client = hostClient(answers);
  const queue = { name: 'complycube-events', opts: { connection: client }, add: jest.fn(), on: jest.fn() };
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  try {
    const mode = await QueueMode.create(resolveQueueSettings({ queue }), undefined);
    await mode.checkEvictionPolicy();
    return { warnings: warn.mock.calls.map(([message]) => String(message)), logs: log.mock.calls.map(([message]) => String(message)) };
  } finally {
    warn.mockRestore();
    log.mockRestore();
  }
}

describe("queue mode's start-up check of Redis' eviction policy", () => {
  it('says nothing for noeviction', async () => {
    expect(await checkOn({ config: ['maxmemory-policy', 'noeviction'] })).toEqual({ warnings: [], logs: [] });
  });

  it('warns for a policy that may evict jobs and records, saying what to set', async () => {
    const { warnings } = await checkOn({ config: ['maxmemory-policy', 'allkeys-lru'] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('maxmemory-policy is allkeys-lru');
    expect(warnings[0]).toContain('CONFIG SET maxmemory-policy noeviction');
  });

  it('reads the policy from INFO on a host that refuses CONFIG', async () => {
    const { warnings } = await checkOn({ info: '# Memory\r\nused_memory:1024\r\nmaxmemory_policy:volatile-lru\r\n' });
    expect(warnings).toEqual([expect.stringContaining('maxmemory-policy is volatile-lru')]);
  });

  it('tolerates a host that refuses both, and says the policy could not be read', async () => {
    const { warnings, logs } = await checkOn({});
    expect(warnings).toEqual([]);
    expect(logs).toEqual([expect.stringContaining('Could not read Redis maxmemory-policy (CONFIG and INFO refused)')]);
  });
});
