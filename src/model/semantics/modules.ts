/** Placeholder until the module table lands: directives of modules that are not loaded. */
import type { ConfigNode } from '../../load/tree.js';
import type { Model } from '../index.js';
import type { Reporter } from './types.js';

export function checkModules(all: readonly ConfigNode[], model: Model, reporter: Reporter): void {
  void all;
  void model;
  void reporter;
}
