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
import type { Directive, SourceFile, Token } from '../../syntax/ast.js';
import { argumentValues } from '../../syntax/parser.js';
import type { ConfigNode } from '../../load/tree.js';
import { builtinVariable, builtinVariableNames, type BuiltinLookup, type VariableFamily } from '../../nginx/variables.js';
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
  return name.endsWith('_by_lua') && name !== 'set_by_lua';
}

/** Directives whose arguments after `~` are regexes: `proxy_redirect ~re repl`, `proxy_cookie_path ~re repl`. */
const REGEX_FIRST: ReadonlySet<string> = new Set(['proxy_redirect', 'proxy_cookie_path', 'proxy_cookie_domain', 'grpc_redirect']);

interface VariableUse {
  readonly name: string;
  readonly node: ConfigNode;
  /** Which argument of the statement uses it: its token is made only when the use is reported. */
  readonly argument: number;
  readonly family: VariableFamily;
}

/** A letter, digit or `_`: what a variable name is made of. */
function isNameCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
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
    while (j < text.length && isNameCode(text.charCodeAt(j))) j++;
    if (j === start) continue;
    if (braced && text[j] !== '}') continue;
    names.push(text.slice(start, j));
    i = j;
  }
  return names;
}

const NAMED_CAPTURE = /\(\?(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/g;

/** Adds the names of the regex captures in `text` (`(?<name>…)`, `(?P<name>…)`, `(?'name'…)`) to `names`. */
function addCaptures(text: string, names: Set<string>): void {
  // Nearly no word holds a capture: the regex runs only on those that may.
  if (!text.includes('(?')) return;
  for (const match of text.matchAll(NAMED_CAPTURE)) names.add((match[1] ?? match[2]!).toLowerCase());
}

/**
 * Whether the words of a statement (its name and arguments, not a block's body) may hold a variable or a capture:
 * whether `$` or `(?` appears in its text. Unescaping never makes either, so a statement without them in its text
 * has none in its values, and most statements are passed over without reading their values.
 *
 * The walk reads a file's statements in order, so the next `$` and `(?` after a statement, found with `indexOf`, hold
 * for every statement up to them: each file's text is scanned about once, not statement by statement.
 */
class VariableMarks {
  private readonly byFile = new Map<SourceFile, { from: number; dollar: number; capture: number }>();

  mayHoldVariables(directive: Directive): boolean {
    const { file, start } = directive;
    const text = file.text;
    let marks = this.byFile.get(file);
    if (!marks || start < marks.from) {
      // The first statement of the file, or the file read again (included twice).
      marks = { from: start, dollar: text.indexOf('$', start), capture: text.indexOf('(?', start) };
      this.byFile.set(file, marks);
    } else {
      marks.from = start;
      if (marks.dollar !== -1 && marks.dollar < start) marks.dollar = text.indexOf('$', start);
      if (marks.capture !== -1 && marks.capture < start) marks.capture = text.indexOf('(?', start);
    }
    const end = directive.terminatorStart;
    return (marks.dollar !== -1 && marks.dollar < end) || (marks.capture !== -1 && marks.capture < end);
  }
}

function familyOfNode(node: ConfigNode): VariableFamily | null {
  const context = node.context;
  if (context === null || context.startsWith('mail') || context === 'main' || context === 'events') return null;
  return context.startsWith('stream') ? 'stream' : 'http';
}

const VARIABLE_ARGUMENT = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))$/;

function variableArgument(text: string | undefined): string | null {
  if (text === undefined || !text.startsWith('$')) return null;
  const match = VARIABLE_ARGUMENT.exec(text);
  return match ? (match[1] ?? match[2]!) : null;
}

export interface VariableCheckOptions {
  readonly version: string | null;
  readonly reporter: Reporter;
  /** Statements nginx would already have rejected: their variables are still defined, never checked. */
  readonly rejected: ReadonlySet<ConfigNode>;
}

/** The token of argument `index` of a statement, or its name for -1. */
function tokenAt(node: ConfigNode, index: number): Token {
  return index === -1 ? node.directive.nameToken : node.directive.args[index]!;
}

/**
 * Unknown and duplicate variables: `visit` is called for every statement, depth first (semantics/index.ts walks the
 * tree once for all the checks), then `finish` reports the variables used that nothing defines.
 */
export class VariableChecks {
  private readonly defined: Record<VariableFamily, Set<string>> = { http: new Set(), stream: new Set() };
  /** Uses of names nginx does not define; whether the configuration does is known only at the end. */
  private readonly uses: VariableUse[] = [];
  /** builtinVariable's answers: most uses name a handful of built-in variables ($host, $remote_addr). */
  private readonly builtins: Record<VariableFamily, Map<string, BuiltinLookup>> = { http: new Map(), stream: new Map() };
  private readonly version: string | undefined;
  private readonly marks = new VariableMarks();

  constructor(private readonly options: VariableCheckOptions) {
    this.version = options.version ?? undefined;
  }

  /** One statement; `bodyOf` is the block when the statement is a line of a body without directives (`map`, `geo`). */
  visit(node: ConfigNode, bodyOf: ConfigNode | null): void {
    const { directive } = node;
    const family = familyOfNode(bodyOf ?? node);
    // Every check below reads a `$` or a `(?` in the statement's words; the rest is skipped without reading them.
    if (!family || !this.marks.mayHoldVariables(directive)) return;
    const values = argumentValues(directive);
    for (const value of values) addCaptures(value, this.defined[family]);
    addCaptures(directive.name, this.defined[family]);

    if (bodyOf) {
      // A line of a map, geo, split_clients or geoip2 body.
      const owner = bodyOf.directive.name;
      if (owner === 'geoip2') {
        const name = variableArgument(directive.name);
        if (name) this.define(family, name, node, -1);
        return;
      }
      if (owner === 'map') {
        // Values may be variables (`default $host;`); keys are strings or regexes.
        for (let index = 0; index < values.length; index++) this.use(node, values, index, family);
      }
      return;
    }
    if (node.context === null) return;
    const name = directive.name;
    const definer = DEFINERS[name];
    const setMisc = name.startsWith('set_') && !name.startsWith('set_real_ip') && !name.startsWith('set_by_lua');
    if (definer !== undefined && definer >= 0) {
      const variable = variableArgument(values[definer]);
      if (variable) this.define(family, variable, node, definer);
    } else if (name === 'geo') {
      const variable = variableArgument(values[values.length - 1]);
      if (variable) this.define(family, variable, node, values.length - 1);
    } else if (setMisc) {
      const variable = variableArgument(values[0]);
      if (variable) this.define(family, variable, node, 0);
    }

    if (this.options.rejected.has(node) || isLuaCode(name) || directive.luaBody) return;
    const skip = NOT_SCRIPTS[name];
    if (skip === -1) return;
    for (let index = 0; index < values.length; index++) {
      if (skip?.includes(index)) continue;
      if (definer !== undefined && index === definer) continue;
      if (name === 'geo' && index === values.length - 1) continue;
      if (index === 0 && name.startsWith('set_')) continue;
      if (name === 'if' && isIfRegexOperand(values, index)) continue;
      if (index === 0 && REGEX_FIRST.has(name) && values[0]!.startsWith('~')) continue;
      this.use(node, values, index, family);
    }
  }

  /** Defines `name`, written as argument `index` of `node` (-1: its name). */
  private define(family: VariableFamily, name: string, node: ConfigNode, index: number): void {
    const lower = name.toLowerCase();
    const builtin = builtinVariable(family, lower, this.version);
    if (builtin.known && !builtin.spec.prefix && !builtin.spec.changeable && !this.options.rejected.has(node)) {
      this.options.reporter.report({
        ruleId: 'duplicate-definition',
        node,
        token: tokenAt(node, index),
        message: `the duplicate "${name}" variable`,
      });
    }
    this.defined[family].add(lower);
  }

  /** The variables in argument `index` of `node`, a script. */
  private use(node: ConfigNode, values: readonly string[], index: number, family: VariableFamily): void {
    const value = values[index]!;
    if (!value.includes('$')) return;
    for (const name of variablesIn(value)) {
      // A built-in variable is known whatever the configuration defines.
      if (!this.builtin(family, name.toLowerCase()).known) this.uses.push({ name, node, argument: index, family });
    }
  }

  private builtin(family: VariableFamily, lower: string): BuiltinLookup {
    let builtin = this.builtins[family].get(lower);
    if (!builtin) this.builtins[family].set(lower, (builtin = builtinVariable(family, lower, this.version)));
    return builtin;
  }

  /** Reports the variables used that neither nginx nor the configuration defines. */
  finish(): void {
    const { defined } = this;
    const reported = new Set<string>();
    for (const use of this.uses) {
      const lower = use.name.toLowerCase();
      if (defined[use.family].has(lower)) continue;
      const builtin = this.builtin(use.family, lower);
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
      this.options.reporter.report({
        ruleId: 'unknown-variable',
        node: use.node,
        token: tokenAt(use.node, use.argument),
        message: `unknown "${lower}" variable`,
        hint,
        suggestion,
      });
    }
  }
}

/** In `if ($a ~ re)`, the regex after `~`, `~*`, `!~`, `!~*` is not a script. */
function isIfRegexOperand(values: readonly string[], index: number): boolean {
  const operator = values[index - 1];
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
