import type * as PromClient from 'prom-client';
import { requireOptionalPeer } from '../common/optional-peer';

/**
 * prom-client, an optional peer: the app's own copy, so that its global `register` is the one the
 * app (and `@willsoto/nestjs-prometheus`) exports. Loaded when this entry point is imported, never by
 * the package's root.
 */
export const promClient = requireOptionalPeer<typeof PromClient>('prom-client', 'nestjs-complycube-webhooks/prometheus');
