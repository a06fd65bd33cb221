/**
 * The values a variable can be given by the configuration itself: `set $name value` and the value column of
 * `map … $name { … }`. Variables nginx or the client fills in (`$host`, `$http_*`) have no values here.
 */
import type { ConfigNode } from '../load/tree.js';

/** Lines of a `map` body that are parameters of the map rather than entries. */
const MAP_PARAMETERS: ReadonlySet<string> = new Set(['hostnames', 'volatile', 'include']);

function variableName(text: string | undefined): string | null {
  const match = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))$/.exec(text ?? '');
  return match ? (match[1] ?? match[2]!) : null;
}

function addTo<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const group = groups.get(key);
  if (group) group.push(item);
  else groups.set(key, [item]);
}

export class VariableValues {
  private readonly setsByVariable = new Map<string, ConfigNode[]>();
  private readonly mapValuesByVariable = new Map<string, string[]>();

  constructor(
    setNodes: readonly ConfigNode[],
    mapNodes: readonly ConfigNode[],
    /** The `server` block a statement is in, or null outside any. */
    private readonly serverOf: (node: ConfigNode) => ConfigNode | null,
  ) {
    for (const node of setNodes) {
      const name = variableName(node.directive.args[0]?.value);
      if (name !== null && node.directive.args.length === 2) addTo(this.setsByVariable, name, node);
    }
    for (const node of mapNodes) {
      const name = variableName(node.directive.args[1]?.value);
      if (name === null) continue;
      for (const entry of node.children) {
        if (MAP_PARAMETERS.has(entry.directive.name) || entry.directive.args.length !== 1) continue;
        addTo(this.mapValuesByVariable, name, entry.directive.args[0]!.value);
      }
    }
  }

  /**
   * The values `variable` (without `$`) may hold where `node` stands: every `set` of it in the same server (a
   * request may pass through any of its locations by rewriting) and every value of a `map` that defines it.
   */
  valuesOf(variable: string, node: ConfigNode): string[] {
    const server = this.serverOf(node);
    const setValues = (this.setsByVariable.get(variable) ?? [])
      .filter((set) => this.serverOf(set) === server)
      .map((set) => set.directive.args[1]!.value);
    return [...setValues, ...(this.mapValuesByVariable.get(variable) ?? [])];
  }
}
