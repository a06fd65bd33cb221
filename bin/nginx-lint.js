#!/usr/bin/env node
import { runBundledCli } from '../dist/src/cli/code-cache.js';

runBundledCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
