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

/** A `map SOURCE $variable { … }` block: what it reads, and its entries in order. */
export interface MapDefinition {
  readonly node: ConfigNode;
  /** The first argument as written: `$http_upgrade`. */
  readonly source: string;
  readonly entries: readonly { readonly key: string; readonly value: string; readonly node: ConfigNode }[];
}

export class VariableValues {
  private readonly setsByVariable = new Map<string, ConfigNode[]>();
  private readonly mapValuesByVariable = new Map<string, string[]>();
  private readonly mapsByVariable = new Map<string, MapDefinition>();

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
      const entries: MapDefinition['entries'][number][] = [];
      for (const entry of node.children) {
        if (MAP_PARAMETERS.has(entry.directive.name) || entry.directive.args.length !== 1) continue;
        addTo(this.mapValuesByVariable, name, entry.directive.args[0]!.value);
        entries.push({ key: entry.directive.nameToken.value, value: entry.directive.args[0]!.value, node: entry });
      }
      // nginx refuses a second map of the same variable ("duplicate variable"): the first stands for it.
      if (!this.mapsByVariable.has(name)) this.mapsByVariable.set(name, { node, source: node.directive.args[0]?.value ?? '', entries });
    }
  }

  /**
   * The values `variable` (without `$`) may hold where `node` stands: every `set` of it in the same server (a
   * request may pass through any of its locations by rewriting) and every value of a `map` that defines it.
   */
  mapOf(variable: string): MapDefinition | null {
    return this.mapsByVariable.get(variable) ?? null;
  }

  valuesOf(variable: string, node: ConfigNode): string[] {
    const server = this.serverOf(node);
    const setValues = (this.setsByVariable.get(variable) ?? [])
      .filter((set) => this.serverOf(set) === server)
      .map((set) => set.directive.args[1]!.value);
    return [...setValues, ...(this.mapValuesByVariable.get(variable) ?? [])];
  }
}
