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
import type { ConfigNode } from '../../load/tree.js';
import { holdsPlaceholder } from '../../load/templates.js';
import type { Token } from '../../syntax/ast.js';
import { ModuleChecks } from './modules.js';
import { ReferenceChecks } from './references.js';
import type { Reporter, SemanticProblem } from './types.js';
import { checkValues, familyOf, locationName, slotLookup, type LocationName } from './values.js';
import { VariableChecks } from './variables.js';

export type { SemanticProblem, SemanticRuleId } from './types.js';

const cache = new WeakMap<Model, SemanticProblem[]>();

export function semanticProblems(model: Model): SemanticProblem[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const rejected = new Set<ConfigNode>();
  for (const problem of structuralProblems(model)) rejected.add(problem.node);
  for (const problem of model.tree.problems) rejected.add(problem.node);
  const version = model.nginxVersion.explicit ? model.nginxVersion.version : null;

  // Each kind of check reports into its own list, and the lists are joined in a fixed order: the checks share one
  // walk of the tree, but the problems come out in the same order as when each check walked it on its own.
  const reporterFor = (into: SemanticProblem[]): Reporter => ({
    report(problem) {
      into.push({ ruleId: 'invalid-value', ...problem });
    },
  });
  const valueProblems: SemanticProblem[] = [];
  const referenceProblems: SemanticProblem[] = [];
  const variableProblems: SemanticProblem[] = [];
  const moduleProblems: SemanticProblem[] = [];
  const values = { version, reporter: reporterFor(valueProblems) };
  const references = new ReferenceChecks({ version, reporter: reporterFor(referenceProblems), rejected, includes: model.tree.program.includes });
  const variables = new VariableChecks({ version, reporter: reporterFor(variableProblems), rejected });
  const modules = new ModuleChecks(model, reporterFor(moduleProblems), rejected);

  const slotOf = slotLookup();
  const locations = new Map<ConfigNode, LocationName | null>();
  const locationOf = (node: ConfigNode): LocationName | null => {
    for (let at = node.parent; at; at = at.parent) {
      if (at.directive.name !== 'location') continue;
      if (!locations.has(at)) locations.set(at, locationName(at.directive.args));
      return locations.get(at)!;
    }
    return null;
  };

  /** Depth first, in source order; `bodyOf`: the block whose body holds lines rather than directives (`map`). */
  const walk = (nodes: readonly ConfigNode[], bodyOf: ConfigNode | null) => {
    for (const node of nodes) {
      // A template's statement with an unknown placeholder: what nginx reads there is unknown; what it defines counts.
      if (holdsPlaceholder(node.directive)) rejected.add(node);
      if (node.context !== null) {
        // Looked up once here for the checks that need them.
        const family = familyOf(node.context);
        const slot = slotOf(family, node.directive.name);
        if (!rejected.has(node)) checkValues(node, family, slot, values, locationOf);
        references.add(node, family, slot);
        modules.add(node);
      }
      variables.visit(node, bodyOf);
      if (node.children.length === 0) continue;
      const opensBody = node.blockContext === null && node.context !== null;
      walk(node.children, opensBody ? node : bodyOf);
    }
  };
  walk(model.tree.roots, null);
  references.finish();
  variables.finish();
  modules.finish();
  const problems = [...valueProblems, ...referenceProblems, ...variableProblems, ...moduleProblems];

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
