/** Thrown at application start when the module or its handlers are set up wrongly. */
export class ComplyCubeWebhookConfigurationError extends Error {
  override readonly name = 'ComplyCubeWebhookConfigurationError';
}

export const RAW_BODY_MISSING_MESSAGE =
  'ComplyCube webhook rejected with 500: the request has no raw body, so its signature cannot be checked. ' +
  'Create the app with NestFactory.create(AppModule, { rawBody: true }) (Express and Fastify alike).';

/** The message of anything thrown, for a log line. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
