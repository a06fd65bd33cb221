/**
 * The structural problems `nginx -t` would stop at, computed once per model and shared by the rules that report
 * them (`unknown-directive`, `directive-not-allowed-here`, `invalid-arguments`), so the tree is walked once.
 */
import { checkStatement, type ShapeProblem } from '../nginx/directives.js';
import type { Model } from './index.js';
import { argumentValues } from '../syntax/parser.js';
import { type ConfigNode, walkTree } from '../load/tree.js';
import { holdsPlaceholder } from '../load/templates.js';

export interface StructuralProblem {
  readonly node: ConfigNode;
  readonly problem: ShapeProblem;
  /** The rule that reports it. */
  readonly ruleId: 'syntax-error' | 'unknown-directive' | 'directive-not-allowed-here' | 'invalid-arguments';
}

/**
 * `;` where nginx expects `{` or the other way round is how a missing `;` shows (`listen 80` then `location / {`
 * reads as one statement ending in `{`). nginx finds it while checking the directive, but to a user it is a syntax
 * error, so it is reported as one.
 */
function ruleFor(problem: ShapeProblem): StructuralProblem['ruleId'] {
  if (problem.message.endsWith('is not terminated by ";"') || problem.message.endsWith('has no opening "{"')) return 'syntax-error';
  if (problem.kind === 'unknown-directive') return 'unknown-directive';
  if (problem.kind === 'not-allowed-here') return 'directive-not-allowed-here';
  return 'invalid-arguments';
}

const cache = new WeakMap<Model, StructuralProblem[]>();

export function structuralProblems(model: Model): StructuralProblem[] {
  let problems = cache.get(model);
  if (problems) return problems;
  problems = [];
  const found = problems;
  const nginxVersion = model.nginxVersion.explicit ? model.nginxVersion.version : undefined;
  walkTree(model.tree.roots, (node) => {
    // null context: a line of a map/types/geo body, or inside a block nginx would already have rejected.
    if (node.context === null) return;
    const { directive } = node;
    if (holdsPlaceholder(directive)) return;
    const problem = checkStatement({
      name: directive.name,
      context: node.context,
      args: argumentValues(directive),
      hasBlock: directive.terminator === '{',
      nginxVersion,
    });
    if (problem) found.push({ node, problem, ruleId: ruleFor(problem) });
  });
  cache.set(model, problems);
  return problems;
}
