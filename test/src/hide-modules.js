// Preloaded in a child process (NODE_OPTIONS=--require ...): the packages named in HIDDEN_MODULES
// (comma-separated) cannot be resolved, as when they were never installed.
const Module = require('node:module');
const hidden = new Set((process.env.HIDDEN_MODULES ?? '').split(',').filter(Boolean));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (hidden.has(request)) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
