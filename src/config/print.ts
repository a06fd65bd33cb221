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

/** `--init`: the text of a starter `.nginx-lint.json`. */
export function starterConfig(): string {
  const starter = {
    $schema: './node_modules/nginx-lint/schema.json',
    extends: 'nginx-lint:recommended',
    rules: {},
  };
  return `${JSON.stringify(starter, null, 2)}\n`;
}
