/**
 * Builds dist/ after `npm install`/`npm ci` in a checkout of this repository, and does nothing where the package is
 * installed from its tarball (dist/ is in it, src/ is not). This is not a `prepare` script on purpose: npm prints a
 * script banner on stdout, and pre-commit runs `npm pack` and reads the tarball's name from stdout — a `prepare`
 * script running during `npm pack` breaks every pre-commit installation of the hook.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(path.join(root, 'src')) && existsSync(path.join(root, 'tsconfig.build.json'))) {
  // Everything the build prints goes to stderr: stdout belongs to whatever runs npm.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  process.exitCode = build.status ?? 1;
}
