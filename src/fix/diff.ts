/**
 * What `--fix-dry-run` prints: the fixes as a unified diff with git's `a/` and `b/` prefixes, so the output can be
 * reviewed like any patch and applied with `git apply` or `patch -p1` from the same directory.
 */
import { lazyRequire } from '../lazy-require.js';
import path from 'node:path';

const diff = lazyRequire<typeof import('diff')>('diff');

/** The unified diff from `before` to `after` for the file at `filePath`, or '' when the texts are equal. */
export function unifiedDiff(filePath: string, before: string, after: string, cwd: string = process.cwd()): string {
  if (before === after) return '';
  // Patch paths use `/` whatever the platform, as git writes them.
  const shownPath = path.relative(cwd, path.resolve(cwd, filePath)).split(path.sep).join('/');
  return diff().createTwoFilesPatch(`a/${shownPath}`, `b/${shownPath}`, before, after, undefined, undefined, {
    headerOptions: diff().FILE_HEADERS_ONLY,
  });
}
