/**
 * The structural problems `nginx -t` would stop at, computed once per model and shared by the rules that report
 * them (`unknown-directive`, `directive-not-allowed-here`, `invalid-arguments`), so the tree is walked once.
 */
import { checkStatement, type ShapeProblem } from './directives.js';
import type { Model } from './model.js';
import { type ConfigNode, walkTree } from './tree.js';

export interface StructuralProblem {
  readonly node: ConfigNode;
  readonly problem: ShapeProblem;
}

const cache = new WeakMap<Model, StructuralProblem[]>();

export function structuralProblems(model: Model): StructuralProblem[] {
  let problems = cache.get(model);
  if (problems) return problems;
  problems = [];
  const found = problems;
  walkTree(model.tree.roots, (node) => {
    // null context: a line of a map/types/geo body, or inside a block nginx would already have rejected.
    if (node.context === null) return;
    const { directive } = node;
    const problem = checkStatement({
      name: directive.name,
      context: node.context,
      args: directive.args.map((arg) => arg.value),
      hasBlock: directive.terminator === '{',
      nginxVersion: model.nginxVersion.explicit ? model.nginxVersion.version : undefined,
    });
    if (problem) found.push({ node, problem });
  });
  cache.set(model, problems);
  return problems;
}
