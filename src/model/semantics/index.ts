/**
 * What nginx's directive handlers reject once the structure is right: argument values, unknown variables, names used
 * but never defined, things defined twice, directives of modules that are not loaded. Computed once per model and
 * shared by the rules that report each kind (`invalid-value`, `unknown-variable`, `undefined-reference`,
 * `duplicate-definition`, `module-not-loaded`).
 *
 * Every problem is found in one run, not only nginx's first. A statement the structural rules already report is not
 * checked again, but what it defines still counts (a `set` with a bad argument still defines its variable), so one
 * mistake is reported once.
 */
import type { Model } from '../index.js';
import { structuralProblems } from '../structure.js';
import { type ConfigNode, walkTree } from '../../load/tree.js';
import { holdsPlaceholder } from '../../load/templates.js';
import type { Token } from '../../syntax/ast.js';
import { checkModules } from './modules.js';
import { checkReferences } from './references.js';
import type { Reporter, SemanticProblem } from './types.js';
import { checkValues, locationName, type LocationName } from './values.js';
import { checkVariables } from './variables.js';

export type { SemanticProblem, SemanticRuleId } from './types.js';

const cache = new WeakMap<Model, SemanticProblem[]>();

export function semanticProblems(model: Model): SemanticProblem[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const problems: SemanticProblem[] = [];
  const rejected = new Set<ConfigNode>(structuralProblems(model).map(({ node }) => node));
  for (const problem of model.tree.problems) rejected.add(problem.node);
  const all: ConfigNode[] = [];
  walkTree(model.tree.roots, (node) => {
    all.push(node);
    // A template's statement with an unknown placeholder: what nginx reads there is unknown; what it defines counts.
    if (holdsPlaceholder(node.directive)) rejected.add(node);
  });
  const version = model.nginxVersion.explicit ? model.nginxVersion.version : null;
  const reporter: Reporter = {
    report(problem) {
      problems.push({ ruleId: 'invalid-value', ...problem });
    },
  };

  const locations = new Map<ConfigNode, LocationName | null>();
  const locationOf = (node: ConfigNode): LocationName | null => {
    for (let at = node.parent; at; at = at.parent) {
      if (at.directive.name !== 'location') continue;
      if (!locations.has(at)) locations.set(at, locationName(at.directive.args));
      return locations.get(at)!;
    }
    return null;
  };
  for (const node of all) {
    if (node.context === null || rejected.has(node)) continue;
    checkValues(node, { version, reporter }, node.directive.name.endsWith('_pass') ? locationOf(node) : null);
  }
  checkReferences(all, { version, reporter, rejected });
  checkVariables(model.tree.roots, { version, reporter, rejected });
  checkModules(all, model, reporter, rejected);

  // A snippet read without the main config that includes it (a conf.d site, a changed file no entry includes) cannot
  // be judged on names the main config may define: log formats, zones, certificates, map and geo variables. nginx -t
  // would fail only if the main config does not define them either, which this run cannot see.
  const fragment = model.tree.rootContext !== 'main';
  const judged = fragment
    ? problems.filter((problem) => problem.ruleId !== 'undefined-reference' && problem.ruleId !== 'unknown-variable')
    : problems;
  cache.set(model, judged);
  return judged;
}

/**
 * The findings of one handler-check rule, ready to report: nginx's words as the message data, at the line nginx
 * names, with the hint when the check has one (messages `invalid` and `withHint` in each of those rules).
 */
export function semanticReports(
  model: Model,
  ruleId: string,
): { node: ConfigNode; token?: Token; lineAt: number; messageId: string; data: Record<string, string> }[] {
  return semanticProblems(model)
    .filter((problem) => problem.ruleId === ruleId)
    .map((problem) => {
      const { node, token, message: nginxMessage, hint } = problem;
      const at = { node, ...(token ? { token } : {}), lineAt: problem.lineAt ?? node.directive.terminatorStart };
      const data: Record<string, string> = hint ? { nginxMessage, hint } : { nginxMessage };
      return { ...at, messageId: hint ? 'withHint' : 'invalid', data };
    });
}
