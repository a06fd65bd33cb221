#!/usr/bin/env node
'use strict';
// CommonJS, as is the module it loads: a run then never starts Node's ES module loader (~13 ms of a small lint).
const { runBundledCli } = require('../dist/src/cli/code-cache.cjs');

runBundledCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
