/**
 * Loads a dependency on first use instead of at start-up. ajv, yaml, diff, tinyglobby and jsonc-parser cost start-up
 * time and most runs need none of them (no rule options, no compose file, no --fix-dry-run, no directory operand, no
 * config error); the bundled CLI leaves them out and they are required from node_modules only when a run needs them.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazyRequire<Module>(id: string): () => Module {
  let loaded: Module | undefined;
  return () => (loaded ??= require(id) as Module);
}
