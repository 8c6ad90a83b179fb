import { ComplyCubeWebhookConfigurationError } from './errors';

/**
 * Loads an optional peer dependency (ioredis, bullmq) the first time a feature that needs it is
 * configured, so an app that uses none of them installs none of them.
 */
export async function loadOptionalPeer<T>(name: string, neededFor: string, install = name): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND' && (error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND')
      throw error;
    throw new ComplyCubeWebhookConfigurationError(`${neededFor} needs the '${name}' package: run npm install ${install}.`);
  }
}

/**
 * The synchronous `loadOptionalPeer`, for an entry point that exists for one peer (e.g.
 * `nestjs-complycube-webhooks/prometheus` and prom-client): it loads the peer when it is imported, and
 * says what to install if the peer is missing.
 */
export function requireOptionalPeer<T>(name: string, neededFor: string, install = name): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here, not at the top of a file, to say what to install
    return require(name) as T;
  } catch (error) {
    // A module the peer itself requires may be the one missing: then Node's own message says more.
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${name}'`);
    if (!missing) throw error;
    throw new ComplyCubeWebhookConfigurationError(`${neededFor} needs the '${name}' package: run npm install ${install}.`);
  }
}
