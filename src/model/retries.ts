/**
 * How nginx retries a request that fails where a `*_pass` stands: the effective `*_next_upstream` conditions and
 * `*_next_upstream_tries`, each with the statement that set it. Several rules ask (a refused address, a reset pooled
 * connection, retries switched off), so it is answered here once.
 */
import type { Model, ProxyPass } from './index.js';
import type { ConfigNode } from '../load/tree.js';

export interface RetryPolicy {
  /** The conditions nginx retries on, e.g. `error timeout` (the default) or `off`. */
  readonly conditions: readonly string[];
  /** The statement that set them, or null when the default applies. */
  readonly conditionsSetBy: ConfigNode | null;
  /** `*_next_upstream_tries`: 0 means no limit. */
  readonly tries: number;
  readonly triesSetBy: ConfigNode | null;
}

export function retryPolicyOf(model: Model, pass: ProxyPass): RetryPolicy {
  const name = `${pass.module}_next_upstream`;
  const conditions = model.effective(pass.node, name);
  const tries = model.effective(pass.node, `${name}_tries`);
  const conditionsSetBy = conditions.nodes[0] ?? null;
  return {
    conditions: conditionsSetBy
      ? conditionsSetBy.directive.args.map((arg) => arg.value)
      : (conditions.default ?? '').split(/\s+/).filter((word) => word !== ''),
    conditionsSetBy,
    tries: Number(tries.values[0]?.[0] ?? tries.default ?? 0),
    triesSetBy: tries.nodes[0] ?? null,
  };
}
