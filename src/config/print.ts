import { existsSync } from 'node:fs';
import path from 'node:path';
import { githubRepository } from '../package-info.js';
import { isIgnored, resolveRulesFor } from './rules.js';
import type { GlobGroup, ResolvedConfig, ServiceConfig } from './types.js';

/** What `--print-config FILE` shows: the configuration that applies to one file, ready for JSON.stringify. */
export interface PrintableConfig {
  readonly configFile: string | null;
  readonly extends: readonly string[];
  readonly ignored: boolean;
  readonly nginxVersion: string | null;
  readonly plugins: readonly string[];
  readonly requireSuppressionReason: boolean;
  /** Enabled rules by id, sorted, as they would be written in a config: a severity or [severity, options]. */
  readonly rules: Readonly<Record<string, string | [string, unknown]>>;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /** Absolute globs. */
  readonly serviceFiles: readonly string[];
}

export function printableConfig(config: ResolvedConfig, filePath: string): PrintableConfig {
  const rules = Object.fromEntries(
    [...resolveRulesFor(config, filePath)]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ruleId, { severity, options }]): [string, string | [string, unknown]] => {
        const severityName = severity === 2 ? 'error' : 'warn';
        return [ruleId, options === undefined ? severityName : [severityName, options]];
      }),
  );
  const absoluteGlobs = (groups: readonly GlobGroup[]) =>
    groups.flatMap(({ baseDir, patterns }) => patterns.map((pattern) => `${baseDir}/${pattern}`));
  return {
    configFile: config.filePath,
    extends: config.extends,
    ignored: isIgnored(config, filePath),
    nginxVersion: config.nginxVersion,
    plugins: config.plugins.map((plugin) => plugin.path ?? plugin.specifier),
    requireSuppressionReason: config.requireSuppressionReason,
    rules,
    services: config.services,
    serviceFiles: absoluteGlobs(config.serviceFiles),
  };
}

/**
 * The `$schema` a starter config names, so that VS Code (and other editors that read `$schema`) completes rule ids
 * and options and flags typos:
 * - `node_modules/nginx-lint/schema.json`, relative to the config, when the package is installed in `dir` or a folder
 *   above it: it matches the installed version and works offline (VS Code resolves a relative `$schema` from the file);
 * - else the schema in the package's GitHub repository (package.json `homepage`), which VS Code downloads;
 * - else none: a path to a schema that is not there is an error in the editor, and the config works without it.
 */
export function starterSchemaReference(dir: string, repository: string | null = githubRepository() ?? null): string | null {
  for (let folder = dir; ; folder = path.dirname(folder)) {
    const installed = path.join(folder, 'node_modules', 'nginx-lint', 'schema.json');
    if (existsSync(installed))
      return path
        .relative(dir, installed)
        .split(path.sep)
        .join('/')
        .replace(/^(?!\.)/, './');
    if (path.dirname(folder) === folder) break;
  }
  if (repository) return `${repository.replace('https://github.com/', 'https://raw.githubusercontent.com/')}/main/schema.json`;
  return null;
}

/** `--init`: the text of a starter `.nginx-lint.json` for the folder `dir`. */
export function starterConfig(dir: string, repository?: string | null): string {
  const schema = starterSchemaReference(dir, repository);
  const starter = {
    ...(schema !== null ? { $schema: schema } : {}),
    extends: 'nginx-lint:recommended',
    rules: {},
  };
  return `${JSON.stringify(starter, null, 2)}\n`;
}
