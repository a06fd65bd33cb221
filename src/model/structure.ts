/**
 * The structural problems `nginx -t` would stop at, computed once per model and shared by the rules that report
 * them (`unknown-directive`, `directive-not-allowed-here`, `invalid-arguments`), so the tree is walked once.
 */
import { checkStatement, type ShapeProblem, type Statement } from '../nginx/directives.js';
import type { Model } from './index.js';
import { argumentCount, argumentValue } from '../syntax/parser.js';
import type { Directive } from '../syntax/ast.js';
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
  // One statement object for the whole walk, refilled for each node (checkStatement keeps nothing of it): a large
  // configuration has 700,000 statements, and an object per statement was most of what this walk allocated.
  let directive: Directive;
  const statement: { -readonly [K in keyof Statement]: Statement[K] } = {
    name: '',
    context: 'main',
    argumentCount: 0,
    argument: (index) => argumentValue(directive, index),
    hasBlock: false,
    nginxVersion,
  };
  // nginx compiled with modules added to it (`--add-module=nginx-rtmp-module`): a name nginx-lint has in no table may
  // be theirs, so it is not reported (a directive it knows is still checked, and one of another version still is).
  const modulesAdded = (model.composeService?.nginxSourceBuild?.addedModules.length ?? 0) > 0;
  walkTree(model.tree.roots, (node) => {
    // null context: a line of a map/types/geo body, or inside a block nginx would already have rejected.
    if (node.context === null) return;
    directive = node.directive;
    if (holdsPlaceholder(directive)) return;
    statement.name = directive.name;
    statement.context = node.context;
    statement.argumentCount = argumentCount(directive);
    statement.hasBlock = directive.terminator === '{';
    const problem = checkStatement(statement);
    if (!problem) return;
    if (modulesAdded && problem.kind === 'unknown-directive' && problem.addedIn === undefined && problem.removedIn === undefined) return;
    found.push({ node, problem, ruleId: ruleFor(problem) });
  });
  cache.set(model, problems);
  return problems;
}
