import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { isWildcardPattern, toEmitterEventName } from '../events/event-pattern';
import { ComplyCubeDelivery } from './dispatch-run';
import { ComplyCubeEventsMetadataAccessor } from './handler-metadata.accessor';

export interface ComplyCubeHandlerRegistration {
  /** Stable key, `ClassName.methodName` unless the decorator names one. */
  key: string;
  patterns: readonly string[];
}

type Listener = (...args: unknown[]) => unknown;

/**
 * Finds every `@OnComplyCubeEvent` method at start-up and subscribes it to the app's
 * EventEmitter2, one listener per pattern (eventemitter2 reads an array of names as one
 * pre-split name, so arrays are never passed to it).
 */
@Injectable()
export class ComplyCubeHandlersExplorer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  private readonly registrations: ComplyCubeHandlerRegistration[] = [];
  private readonly listeners: Array<{ eventName: string; listener: Listener }> = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: ComplyCubeEventsMetadataAccessor,
    @Optional() private readonly emitter?: EventEmitter2,
  ) {}

  /** Every handler and the patterns it listens to, in discovery order. */
  get handlers(): readonly ComplyCubeHandlerRegistration[] {
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
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const { instance } = wrapper;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const prototype = Object.getPrototypeOf(instance);
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
        this.checkEmitterSupports(emitter, patterns, where);
        for (const pattern of patterns) {
          this.subscribe(emitter, toEmitterEventName(pattern), key, instance, methodName);
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
    const listener: Listener = (event, delivery) => {
      if (delivery instanceof ComplyCubeDelivery) {
        return delivery.run(key, () => instance[methodName](event));
      }
      // Emitted by the app itself (not through the endpoint): behave as a plain listener.
      return instance[methodName](event);
    };
    emitter.on(eventName, listener);
    this.listeners.push({ eventName, listener });
  }

  private checkEmitterSupports(emitter: EventEmitter2, patterns: string[], where: string): void {
    const wildcards = patterns.filter(isWildcardPattern);
    if (wildcards.length === 0) return;
    const settings = emitter as unknown as { wildcard?: boolean; delimiter?: string };
    if (settings.wildcard !== true) {
      throw new ComplyCubeWebhookConfigurationError(
        `@OnComplyCubeEvent on ${where} uses the wildcard pattern ${wildcards.map((p) => `'${p}'`).join(', ')}, ` +
          'but the event emitter is not in wildcard mode: use EventEmitterModule.forRoot({ wildcard: true }).',
      );
    }
    if ((settings.delimiter ?? '.') !== '.') {
      throw new ComplyCubeWebhookConfigurationError(
        `@OnComplyCubeEvent on ${where} uses a wildcard pattern, which needs the emitter's delimiter to be '.' ` +
          `(it is '${settings.delimiter}'): remove the delimiter option from EventEmitterModule.forRoot().`,
      );
    }
  }
}
