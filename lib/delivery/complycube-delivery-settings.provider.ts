import { Provider } from '@nestjs/common';
import { COMPLYCUBE_WEBHOOK_OPTIONS } from '../complycube-webhook.module-builder';
import { ComplyCubeWebhookModuleOptions } from '../interfaces/complycube-webhook-options.interface';
import { resolveComplyCubeDeliverySettings } from './complycube-delivery-settings';

/** Injection token: the endpoint's checked delivery settings (ComplyCubeDeliverySettings). */
export const COMPLYCUBE_DELIVERY_SETTINGS = Symbol('COMPLYCUBE_DELIVERY_SETTINGS');

/** Resolved once per endpoint at start-up, for forRoot and forRootAsync alike, so bad options stop the app. */
export const complyCubeDeliverySettingsProvider: Provider = {
  provide: COMPLYCUBE_DELIVERY_SETTINGS,
  inject: [COMPLYCUBE_WEBHOOK_OPTIONS],
  useFactory: (options: ComplyCubeWebhookModuleOptions | undefined) => resolveComplyCubeDeliverySettings(options ?? ({} as ComplyCubeWebhookModuleOptions)),
};
