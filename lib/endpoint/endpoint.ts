import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { DEFAULT_COMPLYCUBE_WEBHOOK_PATH } from '../constants';
import { joinRoutePath } from '../common/route-path';
import { ComplyCubeDeliverySettings, resolveComplyCubeDeliverySettings } from '../delivery/delivery-settings';
import type { ComplyCubeWebhookModuleExtras, ComplyCubeWebhookModuleOptions } from './endpoint-options.interface';
import { ComplyCubeSignatureVerifier, createComplyCubeSignatureVerifier } from '../verification/verify';

/** Injection token, local to each registration: its `ComplyCubeEndpoint`. */
export const COMPLYCUBE_ENDPOINT = Symbol('COMPLYCUBE_ENDPOINT');

/** One `ComplyCubeWebhookModule` registration, as fixed when the module is imported. */
export interface ComplyCubeEndpointRegistration {
  /** The `name` extra; undefined for an unnamed registration. */
  readonly name?: string;
  /** The route below the app's global prefix, as given. */
  readonly path: string;
  /** What the registration's idempotency records are keyed under: its name, else its path. */
  readonly scope: string;
  /** How messages refer to it, e.g. `'live' (webhooks/live)`. */
  readonly label: string;
}

/** A registration with what start-up resolved for it: its verifier and delivery settings. */
export interface ComplyCubeEndpoint extends ComplyCubeEndpointRegistration {
  readonly verify: ComplyCubeSignatureVerifier;
  readonly settings: ComplyCubeDeliverySettings;
}

const NAME_FORMAT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Checks the route extras at import time; a wrong value stops the app with what to change. */
export function defineEndpointRegistration(extras: ComplyCubeWebhookModuleExtras): ComplyCubeEndpointRegistration {
  const path = extras.path ?? DEFAULT_COMPLYCUBE_WEBHOOK_PATH;
  if (typeof path !== 'string') {
    throw new ComplyCubeWebhookConfigurationError('ComplyCubeWebhookModule: path must be a string such as "webhooks/complycube".');
  }
  const { name } = extras;
  if (name !== undefined && (typeof name !== 'string' || !NAME_FORMAT.test(name))) {
    throw new ComplyCubeWebhookConfigurationError(
      `ComplyCubeWebhookModule: name must be 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit, such as 'live' (got ${JSON.stringify(name)}).`,
    );
  }
  const route = joinRoutePath(path);
  return {
    name,
    path,
    scope: name ?? route,
    label: name === undefined ? `the unnamed registration (${route || '/'})` : `'${name}' (${route || '/'})`,
  };
}

/** Resolves a registration's options at start-up: its verifier and its delivery settings. */
export function createEndpoint(registration: ComplyCubeEndpointRegistration, options: unknown): ComplyCubeEndpoint {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ComplyCubeWebhookConfigurationError(
      'ComplyCubeWebhookModule: the options must be an object such as { secret } (check what the forRootAsync factory returns).',
    );
  }
  const moduleOptions = options as ComplyCubeWebhookModuleOptions;
  let verify: ComplyCubeSignatureVerifier;
  try {
    verify = createComplyCubeSignatureVerifier(moduleOptions.secret);
  } catch (error) {
    throw new ComplyCubeWebhookConfigurationError(`ComplyCubeWebhookModule: ${(error as Error).message}`);
  }
  const settings = resolveComplyCubeDeliverySettings(moduleOptions, registration.scope);
  return { ...registration, verify, settings };
}
