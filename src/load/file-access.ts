/**
 * What a run may read and write (docs/security.md). In CI on a pull request the checkout is the attacker's: an
 * `include /etc/shadow;`, an `include ../../x;` or a committed symlink out of the checkout must neither be read
 * (its content would reach the log) nor be rewritten by `--fix`. So a run has a project root — `--root`, else the
 * nearest folder holding `.git` above the file linted — and reads and writes only files whose real path (symlinks
 * followed) is inside it.
 *
 * Two ways in from outside, both the user's own choice, never the repository's: a file or folder named on the
 * command line (`nginx-lint nginx.conf /srv/shared/common.conf`) and the repository side of a `--path-map`. A path
 * named inside the repository that links out of it is not such a choice: pre-commit and CI pass the repository's
 * own file names, so `conf.d/x.conf -> /etc/shadow` stays refused.
 *
 * With no `.git` above the file and no `--root` (`nginx-lint /etc/nginx/nginx.conf` on a server) the user is
 * checking their own machine: the mode is 'host' and files are read as nginx reads them.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

export type AccessMode = 'repository' | 'host';

/** The real path of `filePath`; for a name that does not exist, its nearest existing parent's real path joined with the rest. */
export function realPathOf(filePath: string): string {
  const absolute = path.resolve(filePath);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPathOf(parent), path.basename(absolute));
  }
}

function contains(directory: string, candidate: string): boolean {
  const relative = path.relative(directory, candidate);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

export class FileAccess {
  readonly mode: AccessMode;
  /** The real path of the project root; null in host mode. */
  readonly root: string | null;
  private readonly granted: readonly string[];

  /**
   * `root`: the project root, or null for host mode. `granted`: real paths (files or folders) the user named on the
   * command line outside the root, and package data nginx-lint itself ships.
   */
  constructor(root: string | null, granted: readonly string[] = []) {
    this.root = root === null ? null : realPathOf(root);
    this.mode = root === null ? 'host' : 'repository';
    this.granted = granted.map(realPathOf);
  }

  /** Whether the file (real path, links followed) may be read. */
  canRead(filePath: string): boolean {
    if (this.root === null) return true;
    const real = realPathOf(filePath);
    return contains(this.root, real) || this.granted.some((granted) => contains(granted, real));
  }

  /** Whether a fix may rewrite the file: only inside the root (host mode: anywhere the user may write). */
  canWrite(filePath: string): boolean {
    return this.root === null || contains(this.root, realPathOf(filePath));
  }

  /** Why `filePath` is not read, for a finding: names the path and the root, never anything from the file. */
  refusal(_filePath: string): string {
    return `outside the project root (${this.root}): not read`;
  }
}

/**
 * The command-line operands that grant reading outside a root: each operand's real path, unless it is named inside a
 * repository (lexically) and links out of it — then it is the repository's choice, not the user's.
 */
export function grantedOperands(operands: readonly string[], cwd: string, rootOf: (directory: string) => string | null): string[] {
  const granted: string[] = [];
  for (const operand of operands) {
    const absolute = path.resolve(cwd, operand);
    const root = rootOf(path.dirname(absolute));
    const real = realPathOf(absolute);
    if (root === null || !contains(path.resolve(root), absolute) || contains(realPathOf(root), real)) granted.push(real);
  }
  return granted;
}
