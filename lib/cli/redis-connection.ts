import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { hideUrlCredentials, hideUrlCredentialsInText } from '../common/http-url';
import { loadOptionalPeer } from '../common/optional-peer';
import { CliUsageError } from './cli-command';

export const REDIS_URL_ENV_VARIABLE = 'REDIS_URL';

/** Exit code of a command that cannot reach Redis, as the API commands' for an unreachable ComplyCube. */
export const REDIS_UNREACHABLE_EXIT_CODE = 5;

const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 10_000;

/** The part of an ioredis client the CLI uses (the idempotency store and BullMQ use it too). */
export interface CliRedisClient {
  readonly status: string;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  eval(script: string, numkeys: number, ...args: Array<string | number>): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A Redis URL checked, and the way it is printed: without its user name and password. */
export interface RedisTarget {
  url: string;
  shown: string;
}

/** `--redis-url`, else `$REDIS_URL`: a redis:// or rediss:// URL, or a usage error that never repeats its password. */
export function redisTargetFrom(flag: string | undefined, env: NodeJS.ProcessEnv): RedisTarget {
  const text = flag ?? (env[REDIS_URL_ENV_VARIABLE]?.trim() || undefined);
  if (text === undefined) {
    throw new CliUsageError(`no Redis: set ${REDIS_URL_ENV_VARIABLE} or pass --redis-url redis://[:password@]host:6379[/db]`);
  }
  return parseRedisUrl(text, flag === undefined ? `$${REDIS_URL_ENV_VARIABLE}` : '--redis-url');
}

/**
 * `text` checked as a redis:// or rediss:// URL; `source` (`--redis-url`, `$REDIS_URL`) names it in
 * the usage error, which never repeats its password.
 */
export function parseRedisUrl(text: string, source: string): RedisTarget {
  const shown = hideUrlCredentials(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliUsageError(`${source} '${shown}' is not a URL: give one such as redis://[:password@]host:6379[/db] (rediss:// for TLS).`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new CliUsageError(`${source} must be a redis:// or rediss:// URL (got ${url.protocol}//...).`);
  }
  return { url: text, shown };
}

/**
 * Loads an optional peer for a command; when it is not installed, a usage error that says what to
 * install (exit code 2, as for any setup the user can fix).
 */
export async function loadCliPeer<T>(name: string, neededFor: string, install = name): Promise<T> {
  try {
    return await loadOptionalPeer<T>(name, neededFor, install);
  } catch (error) {
    if (error instanceof ComplyCubeWebhookConfigurationError) throw new CliUsageError(error.message);
    throw error;
  }
}

/**
 * An ioredis client connected to `target`, or a one-line error with exit code 5. It never
 * reconnects and fails a command at once rather than queueing it: a command line should say that
 * Redis is away, not wait for it.
 */
export async function connectRedis(target: RedisTarget): Promise<CliRedisClient> {
  const { Redis } = await loadCliPeer<{ Redis: new (url: string, options: object) => CliRedisClient }>(
    'ioredis',
    'reading dead letters in Redis',
  );
  const client = new Redis(target.url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  let lastError: Error | undefined;
  // Without a listener, ioredis would print every connection error itself.
  client.on('error', (error) => (lastError = error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const reason = (lastError ?? (error as Error)).message;
    throw new CliUsageError(`cannot reach Redis at ${target.shown}: ${withoutPassword(reason, target)}`, REDIS_UNREACHABLE_EXIT_CODE);
  }
  return client;
}

/** Closes a client whether or not it is still connected. */
export async function closeRedis(client: CliRedisClient): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** Shorter passwords are not looked for in messages: hiding them would mangle ordinary text. */
const MIN_HIDDEN_PASSWORD_LENGTH = 4;

/**
 * A driver's message with any URL's credentials shown as `***`, and the target's password too
 * (none known quotes it; a proxy or a fork might).
 */
export function withoutPassword(text: string, target: RedisTarget): string {
  const hidden = hideUrlCredentialsInText(text);
  let password = '';
  try {
    password = decodeURIComponent(new URL(target.url).password);
  } catch {
    password = '';
  }
  return password.length >= MIN_HIDDEN_PASSWORD_LENGTH ? hidden.split(password).join('***') : hidden;
}
