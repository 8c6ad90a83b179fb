// Preloaded with -r: the packages named in $HIDDEN_PACKAGES (comma-separated) cannot be resolved, as
// in an app that never installed them.
const Module = require('node:module');
const hidden = new Set((process.env.HIDDEN_PACKAGES ?? '').split(',').filter(Boolean));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (hidden.has(request)) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
