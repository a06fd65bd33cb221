/**
 * Unknown variables, as nginx finds them once the whole configuration is read (`ngx_http_variables_init_vars`:
 * `unknown "name" variable`, with no line), and variables defined over built-in ones nginx does not let change
 * (`the duplicate "https" variable`, at the defining statement).
 *
 * A variable is known when nginx defines it (src/data/variables.json, at the target version, prefix families such as
 * `$http_*` and `$arg_*` included), when the configuration defines it anywhere in the same family (`set`, `map`,
 * `geo`, `split_clients`, `perl_set`, `js_set`, `js_var`, `auth_request_set`, `set_by_lua*`, set-misc's `set_*`,
 * `geoip2` lines), or when a regex anywhere names the capture (`(?<name>…)`). Order does not matter: nginx resolves
 * every name at the end. `$1`…`$9` are captures and always accepted.
 */
import { distance } from 'fastest-levenshtein';
import type { Token } from '../../syntax/ast.js';
import type { ConfigNode } from '../../load/tree.js';
import { builtinVariable, builtinVariableNames, type VariableFamily } from '../../nginx/variables.js';
import type { Reporter } from './types.js';

/** Directives whose first argument (or second: `map`, `split_clients`) names the variable they define. */
const DEFINERS: Readonly<Record<string, number>> = {
  set: 0,
  map: 1,
  split_clients: 1,
  perl_set: 0,
  js_set: 0,
  js_var: 0,
  auth_request_set: 0,
  set_by_lua: 0,
  set_by_lua_block: 0,
  set_by_lua_file: 0,
  set_real_ip_from: -1,
  geoip2: -1,
};

/**
 * Arguments that are not scripts, so a `$` in them is text or a regex anchor: location and server names, rewrite
 * patterns, Lua and Perl code. -1 means every argument.
 */
const NOT_SCRIPTS: Readonly<Record<string, readonly number[] | -1>> = {
  location: -1,
  server_name: -1,
  rewrite: [0],
  types: -1,
  include: -1,
  perl_set: [1],
  perl: -1,
  perl_modules: -1,
  perl_require: -1,
  js_import: -1,
  js_include: -1,
  js_path: -1,
  js_set: [1],
  fastcgi_split_path_info: -1,
  gzip_disable: -1,
  ssi_types: -1,
  log_format: [0],
  set_by_lua: [1],
  lua_package_path: -1,
  lua_package_cpath: -1,
  uninitialized_variable_warn: -1,
  valid_referers: -1,
  ssl_ciphers: -1,
  ssl_conf_command: -1,
  proxy_ssl_ciphers: -1,
  // headers-more: `-s`/`-t` lists are status codes and types; the header values are scripts.
};

/** `*_by_lua` code arguments: every argument of these is Lua source. */
function isLuaCode(name: string): boolean {
  return /_by_lua$/.test(name) && name !== 'set_by_lua';
}

/** Directives whose arguments after `~` are regexes: `proxy_redirect ~re repl`, `proxy_cookie_path ~re repl`. */
const REGEX_FIRST: ReadonlySet<string> = new Set(['proxy_redirect', 'proxy_cookie_path', 'proxy_cookie_domain', 'grpc_redirect']);

interface VariableUse {
  readonly name: string;
  readonly node: ConfigNode;
  readonly token: Token;
  readonly family: VariableFamily;
}

/** `$name` and `${name}` in a script, as `ngx_http_script_compile` reads them; captures (`$1`) are skipped. */
function variablesIn(text: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    let j = i + 1;
    const next = text[j] ?? '';
    if (next >= '1' && next <= '9') continue;
    const braced = text[j] === '{';
    if (braced) j++;
    const start = j;
    while (j < text.length && /[A-Za-z0-9_]/.test(text[j]!)) j++;
    if (j === start) continue;
    if (braced && text[j] !== '}') continue;
    names.push(text.slice(start, j));
    i = j;
  }
  return names;
}

const NAMED_CAPTURE = /\(\?(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/g;

function familyOfNode(node: ConfigNode): VariableFamily | null {
  const context = node.context;
  if (context === null || context.startsWith('mail') || context === 'main' || context === 'events') return null;
  return context.startsWith('stream') ? 'stream' : 'http';
}

function variableArgument(text: string | undefined): string | null {
  const match = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))$/.exec(text ?? '');
  return match ? (match[1] ?? match[2]!) : null;
}

export interface VariableCheckOptions {
  readonly version: string | null;
  readonly reporter: Reporter;
  /** Statements nginx would already have rejected: their variables are still defined, never checked. */
  readonly rejected: ReadonlySet<ConfigNode>;
}

/** Walks every statement (`nodes`: the whole tree, depth first) and reports unknown and duplicate variables. */
export function checkVariables(roots: readonly ConfigNode[], options: VariableCheckOptions): void {
  const defined: Record<VariableFamily, Set<string>> = { http: new Set(), stream: new Set() };
  const uses: VariableUse[] = [];
  const version = options.version ?? undefined;

  const define = (family: VariableFamily, name: string, node: ConfigNode, token: Token | undefined) => {
    const lower = name.toLowerCase();
    const builtin = builtinVariable(family, lower, version);
    if (builtin.known && !builtin.spec.prefix && !builtin.spec.changeable && !options.rejected.has(node)) {
      options.reporter.report({ ruleId: 'duplicate-definition', node, token, message: `the duplicate "${name}" variable` });
    }
    defined[family].add(lower);
  };

  const visit = (node: ConfigNode, bodyOf: ConfigNode | null) => {
    const { directive } = node;
    const args = directive.args;
    const family = familyOfNode(bodyOf ?? node);
    for (const arg of args)
      for (const match of arg.value.matchAll(NAMED_CAPTURE)) if (family) defined[family].add((match[1] ?? match[2]!).toLowerCase());
    if (directive.nameToken)
      for (const match of directive.nameToken.value.matchAll(NAMED_CAPTURE)) if (family) defined[family].add((match[1] ?? match[2]!).toLowerCase());

    if (bodyOf) {
      // A line of a map, geo, split_clients or geoip2 body.
      const owner = bodyOf.directive.name;
      if (!family) return;
      if (owner === 'geoip2') {
        const name = variableArgument(directive.name);
        if (name) define(family, name, node, directive.nameToken);
        return;
      }
      if (owner === 'map') {
        // Values may be variables (`default $host;`); keys are strings or regexes.
        for (const arg of args) for (const name of variablesIn(arg.value)) uses.push({ name, node, token: arg, family });
      }
      return;
    }
    if (node.context === null || !family) return;
    const name = directive.name;
    const definer = DEFINERS[name];
    if (definer !== undefined && definer >= 0) {
      const variable = variableArgument(args[definer]?.value);
      if (variable) define(family, variable, node, args[definer]);
    } else if (name === 'geo') {
      const variable = variableArgument(args[args.length - 1]?.value);
      if (variable) define(family, variable, node, args[args.length - 1]);
    } else if (/^set_/.test(name) && !name.startsWith('set_real_ip') && name !== 'set_by_lua' && !name.startsWith('set_by_lua')) {
      const variable = variableArgument(args[0]?.value);
      if (variable) define(family, variable, node, args[0]);
    }

    if (options.rejected.has(node) || isLuaCode(name) || directive.luaBody) return;
    const skip = NOT_SCRIPTS[name];
    if (skip === -1) return;
    args.forEach((arg, index) => {
      if (skip?.includes(index)) return;
      if (definer !== undefined && index === definer) return;
      if (name === 'geo' && index === args.length - 1) return;
      if (/^set_/.test(name) && index === 0) return;
      if (name === 'if' && isIfRegexOperand(args, index)) return;
      if (REGEX_FIRST.has(name) && index === 0 && arg.value.startsWith('~')) return;
      for (const variable of variablesIn(arg.value)) uses.push({ name: variable, node, token: arg, family });
    });
  };

  const walk = (nodes: readonly ConfigNode[], bodyOf: ConfigNode | null) => {
    for (const node of nodes) {
      visit(node, bodyOf);
      if (node.children.length === 0) continue;
      const opensBody = node.blockContext === null && node.context !== null;
      walk(node.children, opensBody ? node : bodyOf);
    }
  };
  walk(roots, null);

  const reported = new Set<string>();
  for (const use of uses) {
    const lower = use.name.toLowerCase();
    if (defined[use.family].has(lower)) continue;
    const builtin = builtinVariable(use.family, lower, version);
    if (builtin.known) continue;
    const key = `${lower}\0${use.node.directive.start}\0${use.node.directive.file.path}`;
    if (reported.has(key)) continue;
    reported.add(key);
    let hint: string;
    let suggestion: string | undefined;
    if (!builtin.known && builtin.addedIn) hint = `it appeared in nginx ${builtin.addedIn}; set nginxVersion if you run a newer nginx`;
    else if (!builtin.known && builtin.removedIn) hint = `nginx removed it in ${builtin.removedIn}`;
    else {
      suggestion = closest(lower, [...defined[use.family], ...builtinVariableNames(use.family)]) ?? undefined;
      hint = suggestion ? `did you mean "$${suggestion}"?` : 'define it with set, map or geo';
    }
    options.reporter.report({
      ruleId: 'unknown-variable',
      node: use.node,
      token: use.token,
      message: `unknown "${lower}" variable`,
      hint,
      suggestion,
    });
  }
}

/** In `if ($a ~ re)`, the regex after `~`, `~*`, `!~`, `!~*` is not a script. */
function isIfRegexOperand(args: readonly Token[], index: number): boolean {
  const operator = args[index - 1]?.value;
  return operator === '~' || operator === '~*' || operator === '!~' || operator === '!~*';
}

function closest(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.min(3, Math.max(1, Math.floor(name.length / 3)) + 1);
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance && d > 0) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
