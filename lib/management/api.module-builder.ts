import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ComplyCubeApiModuleExtras, ComplyCubeApiOptions } from './api-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableComplyCubeApiModule,
  MODULE_OPTIONS_TOKEN: COMPLYCUBE_API_OPTIONS,
  OPTIONS_TYPE: COMPLYCUBE_API_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: COMPLYCUBE_API_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ComplyCubeApiOptions>({ moduleName: 'ComplyCubeApi' })
  .setClassMethodName('forRoot')
  .setExtras<ComplyCubeApiModuleExtras>({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
