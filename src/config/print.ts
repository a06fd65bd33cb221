import { isIgnored, resolveRulesFor } from './rules.js';
import type { GlobGroup, ResolvedConfig } from './types.js';

/** `--print-config FILE`: the configuration that applies to one file, as JSON text. */
export function printableConfig(config: ResolvedConfig, filePath: string): string {
  const rules = Object.fromEntries(
    [...resolveRulesFor(config, filePath)]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ruleId, { severity, options }]) => {
        const severityName = severity === 2 ? 'error' : 'warn';
        return [ruleId, options === undefined ? severityName : [severityName, options]];
      }),
  );
  const absoluteGlobs = (groups: readonly GlobGroup[]) =>
    groups.flatMap(({ baseDir, patterns }) => patterns.map((pattern) => `${baseDir}/${pattern}`));
  const printed = {
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
  return `${JSON.stringify(printed, null, 2)}\n`;
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
