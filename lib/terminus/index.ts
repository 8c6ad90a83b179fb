/*
 * nestjs-complycube-webhooks/terminus: a @nestjs/terminus health indicator for the app's ComplyCube
 * endpoints. The only entry point that loads @nestjs/terminus (an optional peer).
 */
export { ComplyCubeHealthIndicator } from './health.indicator';
export type { ComplyCubeEndpointHealth, ComplyCubeHealthOptions } from './health.indicator';
