import type * as Terminus from '@nestjs/terminus';
import { requireOptionalPeer } from '../common/optional-peer';

/**
 * @nestjs/terminus, an optional peer: the app's own copy, whose `HealthIndicatorService` the
 * indicator is injected with. Loaded when this entry point is imported, never by the package's root.
 */
export const terminus = requireOptionalPeer<typeof Terminus>('@nestjs/terminus', 'nestjs-complycube-webhooks/terminus');
