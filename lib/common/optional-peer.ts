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
