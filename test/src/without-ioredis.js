// Runs in a child process where `ioredis` cannot be resolved, as in an app that never installed it.
// Prints one JSON line with what happened.
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'ioredis') {
    const error = new Error("Cannot find module 'ioredis'");
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

(async () => {
  const loadedAtImport = Object.keys(require.cache).some((path) => path.includes('/node_modules/ioredis/'));
  const memory = await boot({});
  const redis = await boot({ idempotency: { store: new lib.RedisIdempotencyStore({ url: 'redis://127.0.0.1:1' }) } });
  process.stdout.write(`${JSON.stringify({ loadedAtImport, memory, redis })}\n`);
})();
