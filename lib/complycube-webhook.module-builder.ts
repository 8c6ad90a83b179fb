import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ComplyCubeWebhookModuleExtras, ComplyCubeWebhookModuleOptions } from './endpoint/endpoint-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableComplyCubeWebhookModule,
  MODULE_OPTIONS_TOKEN: COMPLYCUBE_WEBHOOK_OPTIONS,
  OPTIONS_TYPE: COMPLYCUBE_WEBHOOK_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: COMPLYCUBE_WEBHOOK_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ComplyCubeWebhookModuleOptions>({ moduleName: 'ComplyCubeWebhook' })
  .setClassMethodName('forRoot')
  .setExtras<ComplyCubeWebhookModuleExtras>(
    { isGlobal: false, path: undefined, decorators: undefined, name: undefined },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }),
  )
  .build();
