/**
 * GitLab Code Quality: the subset of the Code Climate issue format that GitLab reads from
 * `artifacts: reports: codequality`. GitLab compares fingerprints between the source and target
 * branch to tell new problems from fixed ones, so the fingerprint leaves the line number out
 * (see createFingerprinter).
 */

import type { LintResult } from '../lint/results.js';
import type { FormatterContext } from './index.js';
import { createFingerprinter, inertJson, projectPath, stableHash } from './shared.js';

interface CodeQualityIssue {
  readonly description: string;
  readonly check_name: string;
  readonly fingerprint: string;
  readonly severity: 'major' | 'minor';
  readonly location: { readonly path: string; readonly lines: { readonly begin: number } };
}

export function formatGitlab(results: readonly LintResult[], context: FormatterContext): string {
  const fingerprint = createFingerprinter(context.cwd);
  const issues = results.flatMap((result) => {
    const filePath = projectPath(result.filePath, context.cwd);
    return result.messages.map((message): CodeQualityIssue => {
      const { hash, occurrence } = fingerprint(result.filePath, message.ruleId, message.message);
      return {
        description: message.message,
        check_name: message.ruleId ?? 'nginx-lint',
        // GitLab needs every fingerprint in a report to be unique, so repeats fold in their occurrence.
        fingerprint: occurrence === 1 ? hash : stableHash(hash, String(occurrence)),
        severity: message.severity === 2 ? 'major' : 'minor',
        // GitLab requires a line; a problem with no position (line 0) is pinned to the first.
        location: { path: filePath, lines: { begin: Math.max(message.line, 1) } },
      };
    });
  });
  return `${inertJson(JSON.stringify(issues, null, 2))}\n`;
}
