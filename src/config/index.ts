export { ConfigError, type ConfigProblem } from './errors.js';
export { CONFIG_FILE_NAME, loadConfigFor, loadPathMapFor } from './load.js';
export { printableConfig, starterConfig, type PrintableConfig } from './print.js';
export { isIgnored, parseCliRule, resolveRulesFor, type CliRule } from './rules.js';
export type {
  ConfigFileContents,
  GlobGroup,
  LoadOptions,
  PluginReference,
  ResolvedConfig,
  RuleEntry,
  RuleLayer,
  RuleMetaView,
  RuleRegistryView,
  RuleSetting,
  ServiceConfig,
} from './types.js';
