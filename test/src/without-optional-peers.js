// Runs in a child process where the optional peers named in argv[2] (comma-separated) cannot be
// resolved, as in an app that never installed them. Prints one JSON line with what happened.
const Module = require('node:module');
const hidden = new Set((process.argv[2] ?? '').split(',').filter(Boolean));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (hidden.has(request)) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
require('reflect-metadata');
const { Module: NestModule } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { EventEmitterModule } = require('@nestjs/event-emitter');
const lib = require('../../lib');

function appModule(options) {
  class AppModule {}
  NestModule({ imports: [EventEmitterModule.forRoot(), lib.ComplyCubeWebhookModule.forRoot({ secret: 's', ...options })] })(AppModule);
  return AppModule;
}

async function boot(options) {
  try {
    const app = await NestFactory.createApplicationContext(appModule(options), { logger: false, abortOnError: false });
    await app.close();
    return 'started';
  } catch (error) {
    return `failed: ${error.message}`;
  }
}

/** Requires one of the package's other entry points, as an app would import it. */
function requireEntry(path) {
  try {
    require(path);
    return 'loaded';
  } catch (error) {
    return `failed: ${error.message}`;
  }
}

(async () => {
  const loadedAtImport = Object.keys(require.cache).filter((path) => [...hidden].some((name) => path.includes(`/node_modules/${name}/`)));
  const memory = await boot({});
  const redis = await boot({ idempotency: { store: new lib.RedisIdempotencyStore({ url: 'redis://127.0.0.1:1' }) } });
  const queue = await boot({ queue: { connection: { host: '127.0.0.1', port: 1, lazyConnect: true } } });
  const openTelemetry = await boot({ openTelemetry: true });
  const prometheus = requireEntry('../../lib/prometheus');
  const terminus = requireEntry('../../lib/terminus');
  process.stdout.write(`${JSON.stringify({ loadedAtImport, memory, redis, queue, openTelemetry, prometheus, terminus })}\n`);
})();
