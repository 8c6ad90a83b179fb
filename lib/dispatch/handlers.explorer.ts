import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { isWildcardPattern } from '../events/event-pattern';
import { routesWildcardPatterns, toEmitterEventName } from './emitter-routing';
import { ComplyCubeEventDispatcher } from './event.dispatcher';
import { ComplyCubeEventsMetadataAccessor } from './handler-metadata.accessor';

export interface HandlerRegistration {
  /** Stable key, `ClassName.methodName` unless the decorator names one. */
  key: string;
  patterns: readonly string[];
}

type Listener = (event: unknown) => unknown;

/**
 * Finds every `@OnComplyCubeEvent` method at start-up and subscribes it to the app's
 * EventEmitter2, one listener per pattern (eventemitter2 reads an array of names as one
 * pre-split name, so arrays are never passed to it).
 */
@Injectable()
export class ComplyCubeHandlersExplorer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  private readonly registrations: HandlerRegistration[] = [];
  private readonly listeners: Array<{ eventName: string; listener: Listener }> = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: ComplyCubeEventsMetadataAccessor,
    private readonly dispatcher: ComplyCubeEventDispatcher,
    // Optional so that a missing EventEmitterModule gets a message saying what to import.
    @Optional() private readonly emitter?: EventEmitter2,
  ) {}

  /** Every handler and the patterns it listens to, in discovery order. */
  get handlers(): readonly HandlerRegistration[] {
    return this.registrations;
  }

  onModuleInit(): void {
    const emitter = this.emitter;
    if (!emitter) {
      throw new ComplyCubeWebhookConfigurationError(
        'ComplyCubeWebhookModule needs an EventEmitter2: add EventEmitterModule.forRoot() ' +
          "(from '@nestjs/event-emitter') to your AppModule imports.",
      );
    }
    const owners = new Map<string, string>();
    let routesWildcards: boolean | undefined;
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      if (!prototype) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const entries = this.metadata.getHandlerMetadata(prototype[methodName]);
        if (!entries?.length) continue;
        const where = `${instance.constructor.name}.${methodName}`;
        if (!wrapper.isDependencyTreeStatic()) {
          throw new ComplyCubeWebhookConfigurationError(
            `@OnComplyCubeEvent on ${where}: request-scoped providers cannot handle ComplyCube events; make the provider a singleton.`,
          );
        }
        const key = entries.find((entry) => entry.key)?.key ?? where;
        const previousOwner = owners.get(key);
        if (previousOwner) {
          throw new ComplyCubeWebhookConfigurationError(
            `Two ComplyCube handlers share the key "${key}" (${previousOwner} and ${where}); ` +
              'give one a unique key with @OnComplyCubeEvent(pattern, { key }).',
          );
        }
        owners.set(key, where);
        const patterns = [...new Set(entries.flatMap((entry) => entry.patterns))];
        const wildcards = patterns.filter(isWildcardPattern);
        if (wildcards.length > 0 && !(routesWildcards ??= routesWildcardPatterns(emitter))) {
          throw new ComplyCubeWebhookConfigurationError(
            `@OnComplyCubeEvent on ${where} uses the wildcard pattern ${wildcards.map((p) => `'${p}'`).join(', ')}, ` +
              "but the app's EventEmitter2 does not route wildcard patterns: use EventEmitterModule.forRoot({ wildcard: true }), " +
              "keeping the default '.' delimiter.",
          );
        }
        for (const pattern of patterns) {
          this.subscribe(emitter, toEmitterEventName(pattern), key, instance as Record<string, (event: unknown) => unknown>, methodName);
        }
        this.registrations.push({ key, patterns });
      }
    }
    for (const { key, patterns } of this.registrations) {
      this.logger.log(`${key} handles ${patterns.join(', ')}`);
    }
    if (this.registrations.length === 0) {
      this.logger.warn('No @OnComplyCubeEvent handlers found: verified events will be acknowledged and dropped.');
    }
  }

  onModuleDestroy(): void {
    for (const { eventName, listener } of this.listeners.splice(0)) {
      this.emitter?.off(eventName, listener);
    }
  }

  private subscribe(
    emitter: EventEmitter2,
    eventName: string,
    key: string,
    instance: Record<string, (event: unknown) => unknown>,
    methodName: string,
  ): void {
    // The method is looked up on each call, so a test can spy on or replace it after start-up.
    const listener: Listener = (event) => this.dispatcher.runHandler(event, key, () => instance[methodName](event));
    emitter.on(eventName, listener);
    this.listeners.push({ eventName, listener });
  }
}
