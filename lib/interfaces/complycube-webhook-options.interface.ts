import { ComplyCubeSubscriptionOptions } from '../management/interfaces/complycube-subscription-options.interface';

/** Options of one ComplyCube webhook endpoint, as `forRoot()` takes them or `forRootAsync()` resolves them. */
export interface ComplyCubeWebhookModuleOptions {
  /**
   * The webhook's signing secret, as ComplyCube returned it when the webhook was created.
   * Give several to rotate without downtime: a signature made with any of them is accepted.
   */
  secret: string | string[];
  /**
   * Opt-in start-up check of the ComplyCube webhook that targets this endpoint (missing,
   * disabled, event types not sent or not handled). Needs `ComplyCubeApiModule`.
   */
  subscription?: ComplyCubeSubscriptionOptions;
}

/**
 * Settings fixed when the module is imported (they shape the route), for `forRoot()` and
 * `forRootAsync()` alike.
 */
export interface ComplyCubeWebhookModuleExtras {
  /** Route of the endpoint, below the app's global prefix. Default `webhooks/complycube`. */
  path?: string;
  /**
   * Class decorators applied to the endpoint's controller, e.g. an app's `@Public()` or
   * `@SkipThrottle()`, so that global guards let ComplyCube through.
   */
  decorators?: ClassDecorator[];
  /** Make the module's exports (the signature guard's options) available app-wide. */
  isGlobal?: boolean;
}
