import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  isIgnored,
  loadConfigFor,
  loadPathMapFor,
  parseCliRule,
  printableConfig,
  resolveRulesFor,
  starterConfig,
  type LoadOptions,
  type PluginReference,
  type RuleMetaView,
  type RuleRegistryView,
} from '../src/config/index.js';
import { validateConfig } from '../src/config/validate-config.generated.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const PORT = 'proxy-pass-port-mismatch';
const TIMEOUT = 'proxy-read-timeout-too-low';
const BUFFERING = 'proxy-buffering-off';
const KEEPALIVE = 'upstream-keepalive-needs-http11';

const BUILTIN_RULES: Readonly<Record<string, RuleMetaView>> = {
  [PORT]: {
    presets: ['recommended'],
    severity: 'error',
    schema: {
      type: 'object',
      properties: { headroom: { type: 'number', minimum: 0, maximum: 1 } },
      additionalProperties: false,
    },
  },
  [TIMEOUT]: { presets: ['recommended'], severity: 'warn' },
  [BUFFERING]: { presets: ['strict'], severity: 'warn' },
  [KEEPALIVE]: { presets: [], severity: 'error' },
};

/** Registry double: plugin rules appear once `loadPlugins` is called with the plugin's specifier. */
class FakeRegistry implements RuleRegistryView {
  readonly pluginLoads: PluginReference[][] = [];
  private readonly rules: Map<string, RuleMetaView>;

  constructor(
    rules: Readonly<Record<string, RuleMetaView>> = BUILTIN_RULES,
    private readonly pluginRules: Readonly<Record<string, Readonly<Record<string, RuleMetaView>>>> = {},
  ) {
    this.rules = new Map(Object.entries(rules));
  }

  ids(): string[] {
    return [...this.rules.keys()];
  }

  meta(id: string): RuleMetaView | undefined {
    return this.rules.get(id);
  }

  async loadPlugins(plugins: readonly PluginReference[]): Promise<void> {
    this.pluginLoads.push([...plugins]);
    for (const plugin of plugins) {
      for (const [id, meta] of Object.entries(this.pluginRules[plugin.specifier] ?? {})) this.rules.set(id, meta);
    }
  }
}

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A temporary directory with these files; objects are written as JSON. */
function makeTree(files: Readonly<Record<string, unknown>>): string {
  const root = mkdtempSync(join(tmpdir(), 'nginx-lint-config-'));
  roots.push(root);
  for (const [relativePath, contents] of Object.entries(files)) {
    const path = join(root, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof contents === 'string' ? contents : JSON.stringify(contents, null, 2));
  }
  return root;
}

/** A repository root: lookup stops here. */
const GIT = { '.git/HEAD': 'ref: refs/heads/main\n' };

function load(root: string, file: string, options: Partial<LoadOptions> = {}, registry: RuleRegistryView = new FakeRegistry()) {
  return loadConfigFor(join(root, file), { cwd: root, ...options }, registry);
}

/** The enabled rules for a file, as `{ id: [severity, options] }`. */
function settings(config: Awaited<ReturnType<typeof loadConfigFor>>, root: string, file: string) {
  return Object.fromEntries([...resolveRulesFor(config, join(root, file))].map(([id, { severity, options }]) => [id, [severity, options]]));
}

/** The message of the ConfigError `run` throws. */
function thrownMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

/**
 * Compares the wording; the `:line:column` of a problem at a JSON pointer is left out here and tested on its own
 * ('gives the line and column of the key a problem is about'), so each message is written once. JSON syntax errors
 * keep theirs: the position is what those tests are about.
 */
async function expectConfigError(pending: Promise<unknown>, message: string): Promise<void> {
  const error = await pending.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).message.replace(/^(\S+?):\d+:\d+: (?=\/)/gm, '$1: ')).toBe(message);
}

describe('positions in config errors', () => {
  it('gives the line and column of the key a problem is about', async () => {
    const root = makeTree({
      ...GIT,
      '.nginx-lint.json': '{\n  "rules": {\n    "no-such-rule": "error"\n  },\n  "rulez": {}\n}\n',
      'nginx.conf': '',
    });
    const error = await load(root, 'nginx.conf').then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('.nginx-lint.json:5:3: /rulez: unknown key "rulez" — did you mean "rules"?');
  });
});

describe('config lookup', () => {
  it('uses the nearest config and does not merge it with configs further up', async () => {
    const root = makeTree({
      ...GIT,
      '.nginx-lint.json': { extends: [], rules: { [KEEPALIVE]: 'error' } },
      'sites/.nginx-lint.json': { extends: [], rules: { [TIMEOUT]: 'error' } },
      'sites/api.conf': '',
      'nginx.conf': '',
    });
    const registry = new FakeRegistry();

    const sites = await load(root, 'sites/api.conf', {}, registry);
    expect(sites.filePath).toBe(join(root, 'sites/.nginx-lint.json'));
    expect(settings(sites, root, 'sites/api.conf')).toEqual({ [TIMEOUT]: [2, undefined] });

    const top = await load(root, 'nginx.conf', {}, registry);
    expect(top.filePath).toBe(join(root, '.nginx-lint.json'));
    expect(settings(top, root, 'nginx.conf')).toEqual({ [KEEPALIVE]: [2, undefined] });
  });

  it('stops at the repository root and falls back to the recommended preset', async () => {
    const outer = makeTree({
      '.nginx-lint.json': { extends: [], rules: { [KEEPALIVE]: 'error' } },
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      'repo/conf/nginx.conf': '',
    });
    const config = await load(outer, 'repo/conf/nginx.conf');
    expect(config.filePath).toBeNull();
    expect(config.extends).toEqual(['nginx-lint:recommended']);
    expect(settings(config, outer, 'repo/conf/nginx.conf')).toEqual({ [PORT]: [2, undefined], [TIMEOUT]: [1, undefined] });
  });

  it('finds the config in the repository root itself', async () => {
    const root = makeTree({ ...GIT, '.nginx-lint.json': {}, 'a/b/nginx.conf': '' });
    expect((await load(root, 'a/b/nginx.conf')).filePath).toBe(join(root, '.nginx-lint.json'));
  });

  it('resolves a config once for all the files it applies to', async () => {
    const root = makeTree({ ...GIT, '.nginx-lint.json': {}, 'a/one.conf': '', 'b/two.conf': '' });
    const registry = new FakeRegistry();
    expect(await load(root, 'a/one.conf', {}, registry)).toBe(await load(root, 'b/two.conf', {}, registry));
  });

  it('applies --config to every file, and --no-config-lookup ignores config files', async () => {
    const root = makeTree({
      ...GIT,
      '.nginx-lint.json': { extends: [], rules: { [KEEPALIVE]: 'error' } },
      'ci/lint.json': { extends: [], rules: { [BUFFERING]: 'warn' } },
      'sites/api.conf': '',
    });
    const explicit = await load(root, 'sites/api.conf', { explicitConfig: 'ci/lint.json' });
    expect(explicit.filePath).toBe(join(root, 'ci/lint.json'));
    expect(settings(explicit, root, 'sites/api.conf')).toEqual({ [BUFFERING]: [1, undefined] });

    const isolated = await load(root, 'sites/api.conf', { noLookup: true });
    expect(isolated.filePath).toBeNull();
  });

  it('reports a --config file that does not exist', async () => {
    const root = makeTree(GIT);
    await expectConfigError(load(root, 'nginx.conf', { explicitConfig: 'missing.json' }), 'missing.json: file not found');
  });
});

describe('extends and presets', () => {
  it('enables the recommended rules at their default severity; strict adds its own and requires reasons', async () => {
    const root = makeTree({
      ...GIT,
      'recommended/.nginx-lint.json': { extends: 'nginx-lint:recommended' },
      'strict/.nginx-lint.json': { extends: ['nginx-lint:strict'] },
      'recommended/nginx.conf': '',
      'strict/nginx.conf': '',
    });
    const recommended = await load(root, 'recommended/nginx.conf');
    expect(settings(recommended, root, 'recommended/nginx.conf')).toEqual({ [PORT]: [2, undefined], [TIMEOUT]: [1, undefined] });
    expect(recommended.requireSuppressionReason).toBe(false);

    const strict = await load(root, 'strict/nginx.conf');
    expect(settings(strict, root, 'strict/nginx.conf')).toEqual({
      [PORT]: [2, undefined],
      [TIMEOUT]: [1, undefined],
      [BUFFERING]: [1, undefined],
    });
    expect(strict.requireSuppressionReason).toBe(true);
  });

  it('layers an extended file under the extending one; a bare severity keeps earlier options', async () => {
    const root = makeTree({
      ...GIT,
      'shared/base.json': {
        extends: 'nginx-lint:recommended',
        rules: { [PORT]: ['warn', { headroom: 0.3 }], [KEEPALIVE]: 'error' },
        nginxVersion: '1.26.0',
        services: { api: { port: 3000 }, auth: { port: 4000 } },
      },
      '.nginx-lint.json': {
        extends: './shared/base.json',
        rules: { [PORT]: 'error', [TIMEOUT]: 'off' },
        nginxVersion: '1.29.7',
        services: { api: { port: 3001, p99: '2.5s' } },
      },
      'nginx.conf': '',
    });
    const config = await load(root, 'nginx.conf');
    expect(config.extends).toEqual(['nginx-lint:recommended', join(root, 'shared/base.json')]);
    expect(settings(config, root, 'nginx.conf')).toEqual({ [PORT]: [2, { headroom: 0.3 }], [KEEPALIVE]: [2, undefined] });
    expect(config.nginxVersion).toBe('1.29.7');
    expect(config.services).toEqual({ api: { port: 3001, p99: '2.5s' }, auth: { port: 4000 } });
  });

  it('reports an extends cycle and a missing extended file', async () => {
    const cycle = makeTree({
      ...GIT,
      '.nginx-lint.json': { extends: './a.json' },
      'a.json': { extends: ['nginx-lint:recommended', './.nginx-lint.json'] },
    });
    await expectConfigError(load(cycle, 'nginx.conf'), 'a.json: /extends/1: extends itself: .nginx-lint.json → a.json → .nginx-lint.json');

    const missing = makeTree({ ...GIT, '.nginx-lint.json': { extends: './base.json' } });
    await expectConfigError(load(missing, 'nginx.conf'), '.nginx-lint.json: /extends: cannot find "./base.json" (looked for base.json)');
  });
});

describe('a config without extends', () => {
  it('builds on the recommended preset, so declaring only services keeps the rules on; "extends": [] opts out', async () => {
    const registry = new FakeRegistry();
    const withServices = makeTree({ ...GIT, '.nginx-lint.json': { services: { api: { port: 3000 } } }, 'nginx.conf': '' });
    const recommended = makeTree({ ...GIT, '.nginx-lint.json': { extends: 'nginx-lint:recommended' }, 'nginx.conf': '' });
    expect(settings(await load(withServices, 'nginx.conf', {}, registry), withServices, 'nginx.conf')).toEqual(
      settings(await load(recommended, 'nginx.conf', {}, registry), recommended, 'nginx.conf'),
    );
    expect(Object.keys(settings(await load(withServices, 'nginx.conf', {}, registry), withServices, 'nginx.conf')).length).toBeGreaterThan(0);

    const optedOut = makeTree({ ...GIT, '.nginx-lint.json': { extends: [], services: { api: { port: 3000 } } }, 'nginx.conf': '' });
    expect(settings(await load(optedOut, 'nginx.conf', {}, registry), optedOut, 'nginx.conf')).toEqual({});
  });
});

describe('overrides and ignores', () => {
  it('matches overrides against the file a directive is written in, such as an include target', async () => {
    const root = makeTree({
      ...GIT,
      '.nginx-lint.json': {
        extends: [],
        rules: { [TIMEOUT]: 'warn' },
        overrides: [
          { files: ['snippets/legacy-*.conf'], rules: { [TIMEOUT]: 'off', [KEEPALIVE]: 'error' } },
          { files: ['**/*.conf'], rules: { [BUFFERING]: 'warn' } },
        ],
      },
    });
    const config = await load(root, 'nginx.conf');
    expect(settings(config, root, 'nginx.conf')).toEqual({ [TIMEOUT]: [1, undefined], [BUFFERING]: [1, undefined] });
    expect(settings(config, root, 'snippets/legacy-upstreams.conf')).toEqual({ [KEEPALIVE]: [2, undefined], [BUFFERING]: [1, undefined] });
  });

  it('applies overrides after the rules of every extended file, with globs relative to the declaring file', async () => {
    const root = makeTree({
      ...GIT,
      'shared/base.json': { overrides: [{ files: ['*.conf'], rules: { [KEEPALIVE]: 'warn' } }] },
      '.nginx-lint.json': { extends: './shared/base.json', rules: { [KEEPALIVE]: 'error' } },
    });
    const config = await load(root, 'nginx.conf');
    expect(settings(config, root, 'shared/legacy.conf')).toEqual({ [KEEPALIVE]: [1, undefined] });
    expect(settings(config, root, 'nginx.conf')).toEqual({ [KEEPALIVE]: [2, undefined] });
  });

  it('ignores files matching `ignores`, relative to the config', async () => {
    const root = makeTree({ ...GIT, 'conf/.nginx-lint.json': { ignores: ['generated/**'] } });
    const config = await load(root, 'conf/nginx.conf');
    expect(isIgnored(config, join(root, 'conf/generated/upstreams.conf'))).toBe(true);
    expect(isIgnored(config, join(root, 'conf/nginx.conf'))).toBe(false);
    expect(isIgnored(config, join(root, 'generated/upstreams.conf'))).toBe(false);
  });
});

describe('--rule', () => {
  it('parses a bare severity, quoted JSON and an array with an unquoted severity', () => {
    expect(parseCliRule(`${PORT}: error`).entry).toEqual({ severity: 'error' });
    expect(parseCliRule(`${PORT}:"off"`).entry).toEqual({ severity: 'off' });
    expect(parseCliRule(`${PORT}: [warn, {"headroom": 0.3}]`)).toEqual({
      source: `--rule "${PORT}: [warn, {\\"headroom\\": 0.3}]"`,
      ruleId: PORT,
      entry: { severity: 'warn', options: { headroom: 0.3 } },
    });
    expect(parseCliRule(`${PORT}: ["error"]`).entry).toEqual({ severity: 'error' });
  });

  it('rejects malformed values with the reason', () => {
    expect(thrownMessage(() => parseCliRule(PORT))).toBe(`--rule "${PORT}": expected "rule-id: severity" or "rule-id: [severity, options]"`);
    expect(thrownMessage(() => parseCliRule(`${PORT}: warning`))).toBe(
      `--rule "${PORT}: warning": expected one of "off", "warn", "error", got "warning" — did you mean "warn"?`,
    );
    expect(thrownMessage(() => parseCliRule(`${PORT}: [warn, {]`))).toBe(
      `--rule "${PORT}: [warn, {]": expected a severity or JSON after the colon, got [warn, {]`,
    );
    expect(thrownMessage(() => parseCliRule(`${PORT}: [warn, {}, 1]`))).toBe(`--rule "${PORT}: [warn, {}, 1]": expected at most 2 item(s), got 3`);
  });

  it('applies after the config, overrides included', async () => {
    const root = makeTree({
      ...GIT,
      '.nginx-lint.json': { overrides: [{ files: ['*.conf'], rules: { [TIMEOUT]: 'error' } }] },
    });
    const config = await load(root, 'nginx.conf', { cliRules: [`${TIMEOUT}: off`, `${PORT}: [warn, {"headroom": 0.5}]`] });
    expect(settings(config, root, 'nginx.conf')).toEqual({ [PORT]: [1, { headroom: 0.5 }] });
  });

  it('checks rule ids and options against the registry', async () => {
    const root = makeTree(GIT);
    await expectConfigError(
      load(root, 'nginx.conf', { cliRules: ['proxy-pas-port-mismatch: error'] }),
      `--rule "proxy-pas-port-mismatch: error": unknown rule — did you mean "${PORT}"?`,
    );
    await expectConfigError(
      load(root, 'nginx.conf', { cliRules: [`${PORT}: [warn, {"headroom": 2}]`] }),
      `--rule "${PORT}: [warn, {\\"headroom\\": 2}]": /1/headroom: expected a number <= 1, got 2`,
    );
  });
});

describe('config errors', () => {
  function errorFor(config: unknown): Promise<unknown> {
    const root = makeTree({ ...GIT, '.nginx-lint.json': config });
    return load(root, 'nginx.conf');
  }

  it('names an unknown key with a suggestion', async () => {
    await expectConfigError(errorFor({ rulez: {} }), '.nginx-lint.json: /rulez: unknown key "rulez" — did you mean "rules"?');
  });

  it('names a value of the wrong type', async () => {
    await expectConfigError(errorFor({ ignores: 'generated/**' }), '.nginx-lint.json: /ignores: expected array, got string');
  });

  it('suggests the severity and preset meant', async () => {
    await expectConfigError(
      errorFor({ extends: 'nginx-lint:recomended', rules: { [PORT]: ['warning'] } }),
      [
        '.nginx-lint.json: /extends: expected one of "nginx-lint:recommended", "nginx-lint:strict", got "nginx-lint:recomended" — did you mean "nginx-lint:recommended"?',
        `.nginx-lint.json: /rules/${PORT}/0: expected one of "off", "warn", "error", got "warning" — did you mean "warn"?`,
      ].join('\n'),
    );
  });

  it('explains malformed service facts', async () => {
    await expectConfigError(
      errorFor({ overrides: [{ rules: {} }], services: { api: { port: 70000, p99: '2,5s', portz: 1 } } }),
      [
        '.nginx-lint.json: /overrides/0: missing required key "files"',
        '.nginx-lint.json: /services/api/portz: unknown key "portz" — did you mean "port"?',
        '.nginx-lint.json: /services/api/port: expected a number <= 65535, got 70000',
        '.nginx-lint.json: /services/api/p99: expected a duration with a unit in every part, such as "2.5s", "800ms" or "1m 30s" (units: ms, s, m, h, d), got "2,5s"',
      ].join('\n'),
    );
  });

  it('names an unknown rule with the closest rule id, in rules and in overrides', async () => {
    await expectConfigError(
      errorFor({ rules: { 'proxy-pas-port-mismatch': 'error' }, overrides: [{ files: ['*.conf'], rules: { 'no-such-thing': 'off' } }] }),
      [
        `.nginx-lint.json: /rules/proxy-pas-port-mismatch: unknown rule — did you mean "${PORT}"?`,
        '.nginx-lint.json: /overrides/0/rules/no-such-thing: unknown rule',
      ].join('\n'),
    );
  });

  it('gives the line and column of invalid JSON', async () => {
    await expectConfigError(
      errorFor('{\n  "rules": {\n    "proxy-pass-port-mismatch": "error",\n  }\n}\n'),
      '.nginx-lint.json:3:40: invalid JSON: trailing comma',
    );
    await expectConfigError(errorFor('{\n  "rules": { "a" "error" }\n}'), '.nginx-lint.json:2:18: invalid JSON: unexpected "\\"", expected ":"');
    await expectConfigError(errorFor('{ "extends": '), '.nginx-lint.json:1:14: invalid JSON: unexpected end of file, expected a value');
  });

  it.each([
    ['{ "rules": { "a": "error\n" } }', '1:19: invalid JSON: unterminated string'],
    ['{ "rules": "\\q" }', '1:13: invalid JSON: invalid escape "\\q"'],
    ["{ 'rules': {} }", '1:3: invalid JSON: unexpected "\'", expected a property name in double quotes'],
    ['{} {}', '1:4: invalid JSON: unexpected "{" after the end of the JSON value'],
    ['[1, 2,]', '1:6: invalid JSON: trailing comma'],
    ['{,}', '1:2: invalid JSON: unexpected ",", expected a property name in double quotes'],
    ['{ "rules": {} // none yet\n}', '1:15: invalid JSON: comments are not allowed in JSON'],
    ['{ "nginxVersion": 1. }', '1:19: invalid JSON: invalid number "1."'],
  ])('locates the syntax error in %j', async (text, expected) => {
    await expectConfigError(errorFor(text), `.nginx-lint.json:${expected}`);
  });

  it('accepts a byte order mark', async () => {
    await expectConfigError(errorFor('\uFEFF{ "rulez": {} }'), '.nginx-lint.json: /rulez: unknown key "rulez" — did you mean "rules"?');
  });
});

describe('rule options', () => {
  it('passes options that match the rule schema to the rule', async () => {
    const root = makeTree({ ...GIT, '.nginx-lint.json': { extends: [], rules: { [PORT]: ['error', { headroom: 0.25 }] } } });
    expect(settings(await load(root, 'nginx.conf'), root, 'nginx.conf')).toEqual({ [PORT]: [2, { headroom: 0.25 }] });
  });

  it('reports options that do not match, and options for a rule that takes none', async () => {
    const root = makeTree({
      ...GIT,
      '.nginx-lint.json': {
        rules: { [PORT]: ['error', { headroom: 'high', margin: 1 }] },
        overrides: [{ files: ['*.conf'], rules: { [TIMEOUT]: ['warn', { min: '30s' }] } }],
      },
    });
    await expectConfigError(
      load(root, 'nginx.conf'),
      [
        `.nginx-lint.json: /rules/${PORT}/1/margin: unknown key "margin"`,
        `.nginx-lint.json: /rules/${PORT}/1/headroom: expected number, got string`,
        `.nginx-lint.json: /overrides/0/rules/${TIMEOUT}/1: this rule takes no options`,
      ].join('\n'),
    );
  });

  it('compiles a rule schema only when options are configured for the rule', async () => {
    // ajv rejects this schema (strict mode: unknown keyword), so compiling it would throw.
    const registry = new FakeRegistry({ ...BUILTIN_RULES, [KEEPALIVE]: { presets: [], severity: 'error', schema: { nonsense: true } } });
    const root = makeTree({ ...GIT, '.nginx-lint.json': { rules: { [KEEPALIVE]: 'warn' } } });
    await expect(load(root, 'nginx.conf', {}, registry)).resolves.toMatchObject({ filePath: join(root, '.nginx-lint.json') });
  });
});

describe('plugins', () => {
  it('loads plugins named by the config before checking its rule ids', async () => {
    const registry = new FakeRegistry(BUILTIN_RULES, { 'nginx-lint-plugin-acme': { 'acme/no-http': { presets: [], severity: 'warn' } } });
    const root = makeTree({
      ...GIT,
      '.nginx-lint.json': { extends: [], plugins: ['nginx-lint-plugin-acme', './local-rules.js'], rules: { 'acme/no-http': 'error' } },
    });
    const config = await load(root, 'nginx.conf', {}, registry);
    const configFile = join(root, '.nginx-lint.json');
    expect(registry.pluginLoads).toEqual([
      [
        { specifier: 'nginx-lint-plugin-acme', configFile, path: null },
        { specifier: './local-rules.js', configFile, path: join(root, 'local-rules.js') },
      ],
    ]);
    expect(settings(config, root, 'nginx.conf')).toEqual({ 'acme/no-http': [2, undefined] });
  });

  it('loads no plugin code when no config names one', async () => {
    const registry = new FakeRegistry();
    const root = makeTree({ ...GIT, '.nginx-lint.json': { extends: 'nginx-lint:strict' } });
    await load(root, 'nginx.conf', {}, registry);
    expect(registry.pluginLoads).toEqual([]);
  });

  it('reading only the pathMap (a main config searched for an includer, not linted) loads no plugin and checks no rule', async () => {
    const registry = new FakeRegistry();
    const root = makeTree({
      ...GIT,
      'base.json': { pathMap: { '/etc/nginx': 'nginx' } },
      // acme/no-http is the plugin's rule: unknown here, as no plugin is loaded.
      'deploy/.nginx-lint.json': { extends: '../base.json', plugins: ['./acme.js'], rules: { 'acme/no-http': 'error' }, pathMap: { '/srv': 'www' } },
    });
    const pathMap = loadPathMapFor(join(root, 'deploy/nginx.conf'), { cwd: root }, registry);
    expect(pathMap).toEqual([
      { container: '/etc/nginx', repo: join(root, 'nginx'), origin: `${join(root, 'base.json')} pathMap` },
      { container: '/srv', repo: join(root, 'deploy/www'), origin: `${join(root, 'deploy/.nginx-lint.json')} pathMap` },
    ]);
    expect(registry.pluginLoads).toEqual([]);
    // The whole config, loaded for an entry linted, has the same pathMap, and loads the plugin.
    const pluginRegistry = new FakeRegistry(BUILTIN_RULES, { './acme.js': { 'acme/no-http': { presets: [], severity: 'warn' } } });
    await expect(load(root, 'deploy/nginx.conf', {}, pluginRegistry)).resolves.toMatchObject({ pathMap });
    expect(pluginRegistry.pluginLoads).toHaveLength(1);
  });

  it('reading only the pathMap still refuses a config the schema does not accept', () => {
    const root = makeTree({ ...GIT, '.nginx-lint.json': { pathMap: { '/etc/nginx': 42 } } });
    expect(() => loadPathMapFor(join(root, 'nginx.conf'), { cwd: root }, new FakeRegistry())).toThrow(ConfigError);
  });
});

describe('--print-config and --init', () => {
  it('prints the settings that apply to one file', async () => {
    const root = makeTree({
      ...GIT,
      '.nginx-lint.json': {
        extends: 'nginx-lint:recommended',
        rules: { [PORT]: ['warn', { headroom: 0.3 }] },
        ignores: ['generated/**'],
        serviceFiles: ['compose.yaml'],
      },
    });
    const config = await load(root, 'nginx.conf');
    expect(printableConfig(config, join(root, 'generated/x.conf'))).toEqual({
      configFile: join(root, '.nginx-lint.json'),
      extends: ['nginx-lint:recommended'],
      ignored: true,
      nginxVersion: null,
      plugins: [],
      requireSuppressionReason: false,
      rules: { [PORT]: ['warn', { headroom: 0.3 }], [TIMEOUT]: 'warn' },
      services: {},
      serviceFiles: [`${root}/compose.yaml`],
    });
  });

  describe('--init: a starter config whose $schema an editor can load, and which the schema accepts', () => {
    const editorSchema = JSON.parse(readFileSync(join(repoRoot, 'schema.json'), 'utf8')) as object;
    const validateForEditor = new Ajv({ strict: true, strictTuples: false }).compile(editorSchema);
    const accepted = (config: unknown) => validateConfig(config) && validateForEditor(config);

    it('points at node_modules/nginx-lint/schema.json, relative to the config, where the package is installed', () => {
      const project = mkdtempSync(join(tmpdir(), 'nginx-lint-init-'));
      roots.push(project);
      const installed = join(project, 'node_modules', 'nginx-lint');
      mkdirSync(installed, { recursive: true });
      writeFileSync(join(installed, 'schema.json'), JSON.stringify(editorSchema));
      mkdirSync(join(project, 'deploy'));

      const starter = JSON.parse(starterConfig(project, 'https://github.com/acme/nginx-lint')) as { $schema: string };
      expect(starter).toEqual({ $schema: './node_modules/nginx-lint/schema.json', extends: 'nginx-lint:recommended', rules: {} });
      const nested = JSON.parse(starterConfig(join(project, 'deploy'), null)) as { $schema: string };
      expect(nested.$schema).toBe('../node_modules/nginx-lint/schema.json');
      // What VS Code does: resolve $schema from the config's folder, load that schema, validate the config with it.
      const loaded = JSON.parse(readFileSync(join(project, 'deploy', nested.$schema), 'utf8')) as object;
      expect(new Ajv({ strictTuples: false }).compile(loaded)(nested)).toBe(true);
      expect(accepted(starter) && accepted(nested)).toBe(true);
    });

    it("without node_modules, points at the schema in the package's GitHub repository (package.json homepage)", () => {
      const project = mkdtempSync(join(tmpdir(), 'nginx-lint-init-'));
      roots.push(project);
      const starter = JSON.parse(starterConfig(project, 'https://github.com/acme/nginx-lint')) as unknown;
      expect(starter).toEqual({
        $schema: 'https://raw.githubusercontent.com/acme/nginx-lint/main/schema.json',
        extends: 'nginx-lint:recommended',
        rules: {},
      });
      expect(accepted(starter)).toBe(true);
    });

    it('with neither, writes no $schema rather than a path an editor cannot load', () => {
      const project = mkdtempSync(join(tmpdir(), 'nginx-lint-init-'));
      roots.push(project);
      const starter = JSON.parse(starterConfig(project, null)) as unknown;
      expect(starter).toEqual({ extends: 'nginx-lint:recommended', rules: {} });
      expect(accepted(starter)).toBe(true);
    });
  });
});

describe('generated validator', () => {
  it('is in sync with schema.json', () => {
    const check = spawnSync(process.execPath, ['scripts/build-config-validator.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
