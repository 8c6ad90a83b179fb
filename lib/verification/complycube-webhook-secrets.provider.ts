import { Provider } from '@nestjs/common';
import { COMPLYCUBE_WEBHOOK_OPTIONS } from '../complycube-webhook.module-builder';
import { ComplyCubeWebhookConfigurationError } from '../complycube-webhook.errors';
import { ComplyCubeWebhookModuleOptions } from '../interfaces/complycube-webhook-options.interface';
import { normalizeComplyCubeSecrets } from './verify-complycube-signature';

/** The endpoint's secrets, checked once at start-up so that a blank secret stops the app. */
export const COMPLYCUBE_WEBHOOK_SECRETS = Symbol('COMPLYCUBE_WEBHOOK_SECRETS');

export const complyCubeWebhookSecretsProvider: Provider = {
  provide: COMPLYCUBE_WEBHOOK_SECRETS,
  inject: [COMPLYCUBE_WEBHOOK_OPTIONS],
  useFactory: (options: ComplyCubeWebhookModuleOptions | undefined): string[] => {
    try {
      return normalizeComplyCubeSecrets(options?.secret);
    } catch (error) {
      throw new ComplyCubeWebhookConfigurationError(`ComplyCubeWebhookModule: ${(error as Error).message}`);
    }
  },
};
