import { relative, sep } from 'node:path';
import type { Ajv, SchemaObject } from 'ajv';
import picomatch from 'picomatch';
import { lazyRequire } from '../lazy-require.js';
import type { PresetName, SeverityName } from './types.js';
import { ConfigError, describeSchemaErrors, didYouMean, pointerToken, type ConfigProblem } from './errors.js';
import type { GlobGroup, ResolvedConfig, RuleEntry, RuleEntryInput, RuleLayer, RuleRegistryView, RuleSetting } from './types.js';
import { validateConfig } from './validate-config.generated.js';

const SEVERITY_NAMES: readonly string[] = ['off', 'warn', 'error'] satisfies SeverityName[];

/** A `--rule` value, parsed but not yet checked against the registry. */
export interface CliRule {
  /** The text as given, to name it in messages. */
  readonly source: string;
  readonly ruleId: string;
  readonly entry: RuleEntry;
}

/**
 * Parses `--rule 'id: error'` or `--rule 'id: [warn, {"headroom": 0.3}]'`: after the first colon comes a bare
 * severity or JSON, where the severity inside the array may be left unquoted as in ESLint's `--rule`.
 */
export function parseCliRule(text: string): CliRule {
  const source = `--rule ${JSON.stringify(text)}`;
  const fail = (message: string, pointer = ''): ConfigError => new ConfigError(source, [{ pointer, message }]);
  const colon = text.indexOf(':');
  const ruleId = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (colon === -1 || ruleId === '' || value === '') {
    throw fail('expected "rule-id: severity" or "rule-id: [severity, options]"');
  }
  if (SEVERITY_NAMES.includes(value)) return { source, ruleId, entry: { severity: value as SeverityName } };

  let parsed: unknown;
  try {
    parsed = JSON.parse(value.replace(/^\[\s*(off|warn|error)\s*(?=[,\]])/, '["$1"'));
  } catch {
    // A lone word is a misspelt severity: let the schema check below suggest the right one.
    if (!/^[\w-]+$/.test(value)) throw fail(`expected a severity or JSON after the colon, got ${value}`);
    parsed = value;
  }
  // Check the entry with the config schema itself, then drop the wrapper from the pointers.
  const wrapperPointer = `/rules/${pointerToken(ruleId)}`;
  if (!validateConfig({ rules: { [ruleId]: parsed } })) {
    const problems = describeSchemaErrors(validateConfig.errors ?? []).map((problem) => ({
      pointer: problem.pointer.slice(wrapperPointer.length),
      message: problem.message,
    }));
    throw new ConfigError(source, problems);
  }
  return { source, ruleId, entry: normalizeRuleEntry(parsed as RuleEntryInput) };
}

function normalizeRuleEntry(input: RuleEntryInput): RuleEntry {
  if (typeof input === 'string') return { severity: input };
  return input.length === 2 ? { severity: input[0], options: input[1] } : { severity: input[0] };
}

/**
 * Normalizes the rule settings of one `rules` object, checking that each rule exists and that its options match
 * the rule's schema. Problems are appended to `problems`, located below `pointer`.
 */
export function checkRuleEntries(
  rules: Readonly<Record<string, RuleEntryInput>>,
  pointer: string,
  registry: RuleRegistryView,
  problems: ConfigProblem[],
): Map<string, RuleEntry> {
  const entries = new Map<string, RuleEntry>();
  for (const [ruleId, input] of Object.entries(rules)) {
    const entry = normalizeRuleEntry(input);
    const entryPointer = `${pointer}/${pointerToken(ruleId)}`;
    // A rule of a plugin that was not allowed to load: the note about the plugin says why it is not run.
    if (registry.pluginsWithheld && !registry.meta(ruleId)) continue;
    const entryProblems = checkRuleEntry(ruleId, entry, registry);
    problems.push(...entryProblems.map((problem) => ({ ...problem, pointer: entryPointer + problem.pointer })));
    entries.set(ruleId, entry);
  }
  return entries;
}

/** Checks a `--rule` against the registry; throws a ConfigError naming the flag. */
export function checkCliRule(rule: CliRule, registry: RuleRegistryView): void {
  const problems = checkRuleEntry(rule.ruleId, rule.entry, registry);
  if (problems.length > 0) throw new ConfigError(rule.source, problems);
}

/** Problems of one entry, with pointers relative to the entry. */
function checkRuleEntry(ruleId: string, entry: RuleEntry, registry: RuleRegistryView): ConfigProblem[] {
  const meta = registry.meta(ruleId);
  if (!meta) return [{ pointer: '', message: `unknown rule${didYouMean(ruleId, registry.ids())}` }];
  if (!('options' in entry)) return [];
  if (!meta.schema) return [{ pointer: '/1', message: 'this rule takes no options' }];
  const validate = ruleOptionsValidator(meta.schema);
  return validate(entry.options) ? [] : describeSchemaErrors(validate.errors ?? [], '/1');
}

const ajvModule = lazyRequire<typeof import('ajv')>('ajv');
let optionsAjv: Ajv | undefined;

/** Compiled on first use only: most runs configure no options. ajv caches compiled schemas by object identity. */
function ruleOptionsValidator(schema: object) {
  optionsAjv ??= new (ajvModule().Ajv)({ allErrors: true, verbose: true, strict: true });
  // A rule's meta.schema is a JSON Schema object; ajv itself rejects one that is not.
  return optionsAjv.compile(schema as SchemaObject);
}

/** The rules a preset enables, at their default severity. `strict` includes everything in `recommended`. */
export function presetLayer(preset: PresetName, registry: RuleRegistryView): RuleLayer {
  const rules = new Map<string, RuleEntry>();
  for (const ruleId of registry.ids()) {
    const meta = registry.meta(ruleId);
    if (!meta) continue;
    const included = meta.presets.includes(preset) || (preset === 'strict' && meta.presets.includes('recommended'));
    if (included) rules.set(ruleId, { severity: meta.severity });
  }
  return { files: null, rules };
}

/** Glob patterns longer than this in a config are never compiled (they match nothing). */
export const MAX_GLOB_LENGTH = 256;

/**
 * Why a glob pattern from a config is refused, or null. picomatch (and tinyglobby, which uses it) compiles a pattern
 * to a regular expression that backtracks: `a*a*a*a*a*b` takes minutes on a 200-character name, and so do
 * `*?*?*?b`, extglobs and alternations of braces. A pattern is therefore at most MAX_GLOB_LENGTH characters, has no
 * extglob, at most one `*` in each path part (`**` as a whole part is fine) and at most one `{…}` group, not nested:
 * every such pattern matches a name in time proportional to at most its square (docs/security.md).
 */
export function unsafeGlob(pattern: string): string | null {
  if (pattern.length > MAX_GLOB_LENGTH) return `a glob pattern is at most ${MAX_GLOB_LENGTH} characters long`;
  if (/[@!+*?]\(/.test(pattern)) return 'extglobs (@(…), +(…), *(…), ?(…), !(…)) are not supported in glob patterns';
  const parts = pattern.replace(/^!/, '').split('/');
  if (parts.some((part) => part !== '**' && (part.match(/\*/g)?.length ?? 0) > 1))
    return 'a glob pattern may have one * in each path part (and ** as a whole part)';
  const braces = pattern.match(/\{/g)?.length ?? 0;
  if (braces > 1 || /\{[^}]*\{/.test(pattern)) return 'a glob pattern may have one {…} group, not nested';
  return null;
}

/** Compiles `patterns`, relative to `baseDir`, into a matcher of absolute paths. */
export function globGroup(baseDir: string, patterns: readonly string[]): GlobGroup {
  // Without extglobs and with a length cap a pattern compiles to a regular expression that cannot backtrack
  // catastrophically: a repository's config must not be able to stall the run on one file name (docs/security.md).
  const bounded = patterns.filter((pattern) => unsafeGlob(pattern) === null);
  const isMatch = picomatch([...bounded], { dot: true, noextglob: true });
  return {
    baseDir,
    patterns,
    matches: (filePath) => isMatch(relative(baseDir, filePath).split(sep).join('/')),
  };
}

/**
 * The rules that run on the directives written in `filePath` (the physical file, an include target included):
 * presets, then `rules`, then matching `overrides`, then `--rule`. A bare severity keeps options set earlier.
 */
export function resolveRulesFor(config: ResolvedConfig, filePath: string): Map<string, RuleSetting> {
  const merged = new Map<string, { severity: SeverityName; options: unknown }>();
  for (const layer of config.ruleLayers) {
    if (layer.files && !layer.files.matches(filePath)) continue;
    for (const [ruleId, entry] of layer.rules) {
      const options = 'options' in entry ? entry.options : merged.get(ruleId)?.options;
      merged.set(ruleId, { severity: entry.severity, options });
    }
  }
  const settings = new Map<string, RuleSetting>();
  for (const [ruleId, { severity, options }] of merged) {
    if (severity !== 'off') settings.set(ruleId, { severity: severity === 'error' ? 2 : 1, options });
  }
  return settings;
}

export function isIgnored(config: ResolvedConfig, filePath: string): boolean {
  return config.ignores.some((group) => group.matches(filePath));
}
