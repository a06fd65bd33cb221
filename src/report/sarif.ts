/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
 *
 * - Every rule that fired gets a descriptor in `tool.driver.rules`, and results point at it by `ruleIndex`.
 * - Files inside the working directory are addressed relative to `%SRCROOT%` (the working directory),
 *   which is what GitHub matches against the repository; files outside it get an absolute `file:` URI.
 * - `partialFingerprints.primaryLocationLineHash` hashes path, rule and message but not the line, so an
 *   alert survives edits above it.
 * - The include chain of a message becomes `relatedLocations`.
 * - Messages that belong to no rule (an unreadable file, an internal error) are not findings about the
 *   config: they go to `invocations[0].toolExecutionNotifications`, and `executionSuccessful` is false
 *   whenever a fatal message says the analysis is incomplete.
 * - No `fixes[]`: a fix is an offset range, and SARIF wants line and column, which needs the file's text;
 *   GitHub ignores `fixes` anyway.
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactLocation, Location, Log, Notification, Region, ReportingConfiguration, ReportingDescriptor, Result } from 'sarif';
import type { LintMessage, LintResult, RuleDocs } from '../lint/results.js';
import type { FormatterContext } from './index.js';
import { createFingerprinter, firedRuleIds, inertJson, parseIncludeSite, pathInsideCwd, severityLabel } from './shared.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SOURCE_ROOT = '%SRCROOT%';

export function formatSarif(results: readonly LintResult[], context: FormatterContext): string {
  const ruleIds = firedRuleIds(results);
  const ruleIndexes = new Map(ruleIds.map((ruleId, index) => [ruleId, index]));
  const fingerprint = createFingerprinter(context.cwd);

  const sarifResults: Result[] = [];
  const notifications: Notification[] = [];
  for (const result of results) {
    for (const message of result.messages) {
      const location = problemLocation(result.filePath, message, context.cwd);
      if (message.ruleId === null) {
        notifications.push({ level: severityLabel(message.severity), message: { text: message.message }, locations: [location] });
        continue;
      }
      const { hash, occurrence } = fingerprint(result.filePath, message.ruleId, message.message);
      const relatedLocations = includeLocations(message.includedFrom ?? [], context.cwd);
      sarifResults.push({
        ruleId: message.ruleId,
        ruleIndex: ruleIndexes.get(message.ruleId),
        // The labels are SARIF's level names too.
        level: severityLabel(message.severity),
        message: { text: message.message },
        locations: [location],
        ...(relatedLocations.length > 0 && { relatedLocations }),
        partialFingerprints: { primaryLocationLineHash: `${hash}:${occurrence}` },
      });
    }
  }

  const log: Log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nginx-lint',
            semanticVersion: context.toolVersion,
            rules: ruleIds.map((ruleId) => ruleDescriptor(ruleId, context.rules.get(ruleId))),
          },
        },
        invocations: [
          {
            executionSuccessful: !results.some((result) => result.messages.some((message) => message.fatal)),
            ...(notifications.length > 0 && { toolExecutionNotifications: notifications }),
          },
        ],
        // The nginx versions the files were checked against, and where each came from.
        properties: {
          nginxVersions: [
            ...new Map(
              results.flatMap((result) => (result.nginxVersion ? [[JSON.stringify(result.nginxVersion), result.nginxVersion] as const] : [])),
            ).values(),
          ],
        },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: directoryUri(context.cwd) } },
        // Columns count UTF-16 code units, as JavaScript strings index the file's text.
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
  return `${inertJson(JSON.stringify(log, null, 2))}\n`;
}

function ruleDescriptor(ruleId: string, docs: RuleDocs | undefined): ReportingDescriptor {
  // A rule without metadata (one the registry does not know) still needs a descriptor for ruleIndex.
  if (!docs) return { id: ruleId };
  const level: ReportingConfiguration.level = docs.severity === 'error' ? 'error' : 'warning';
  return {
    id: ruleId,
    // RuleDocs has one description; SARIF viewers show the short one in lists and the full one in details.
    shortDescription: { text: docs.description },
    fullDescription: { text: docs.description },
    ...(docs.url === null
      ? { help: { text: docs.description } }
      : {
          help: {
            text: `${docs.description}\nDocumentation: ${docs.url}`,
            markdown: `${docs.description}\n\n[Documentation for \`${ruleId}\`](${docs.url})`,
          },
          helpUri: docs.url,
        }),
    defaultConfiguration: { level },
    properties: { tags: [docs.category] },
  };
}

function problemLocation(filePath: string, message: LintMessage, cwd: string): Location {
  const region = problemRegion(message);
  return { physicalLocation: { artifactLocation: artifactLocation(filePath, cwd), ...(region && { region }) } };
}

/** Line 0 means "no position": the location is then the file as a whole. */
function problemRegion(message: LintMessage): Region | undefined {
  if (message.line < 1) return undefined;
  return {
    startLine: message.line,
    ...(message.column >= 1 && { startColumn: message.column }),
    ...(message.endLine >= message.line && { endLine: message.endLine }),
    ...(message.endLine >= message.line && message.endColumn >= 1 && { endColumn: message.endColumn }),
  };
}

function includeLocations(includedFrom: readonly string[], cwd: string): Location[] {
  return includedFrom.flatMap((entry, index) => {
    const site = parseIncludeSite(entry);
    if (!site) return [];
    return [
      {
        id: index,
        physicalLocation: { artifactLocation: artifactLocation(site.filePath, cwd), region: { startLine: site.line } },
        message: { text: index === includedFrom.length - 1 ? 'The include that loads this file' : 'An include further up the chain' },
      },
    ];
  });
}

function artifactLocation(filePath: string, cwd: string): ArtifactLocation {
  const relative = pathInsideCwd(filePath, cwd);
  if (relative !== undefined) return { uri: encodeUriPath(relative), uriBaseId: SOURCE_ROOT };
  if (path.isAbsolute(filePath)) return { uri: pathToFileURL(filePath).href };
  // A pseudo path such as `<stdin>`: a relative reference that resolves to nothing, but names the input.
  return { uri: encodeUriPath(filePath) };
}

function encodeUriPath(posixPath: string): string {
  return posixPath.split('/').map(encodeURIComponent).join('/');
}

/** A base URI must end with `/`, or resolving `conf.d/x.conf` against it would drop its last segment. */
function directoryUri(directory: string): string {
  const href = pathToFileURL(directory).href;
  return href.endsWith('/') ? href : `${href}/`;
}
