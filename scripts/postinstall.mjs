/**
 * Builds dist/ after `npm install`/`npm ci` in a checkout of this repository. Where the package is installed from its
 * tarball (dist/ is in it, src/ is not), writes the CLI's code cache again with the Node that installs it: V8 takes
 * only a cache its own version made (src/cli/code-cache.cts). That is worth ~20 ms a run and nothing more, so a
 * failure to write it is silent and the install goes on; without it the CLI compiles its bundle as it starts. This is not a `prepare` script on purpose: npm prints a
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
} else {
  try {
    const { saveCodeCache } = await import('../dist/src/cli/code-cache.cjs');
    await saveCodeCache();
  } catch {
    // A read-only install or a Node the bundle does not run on: the CLI starts without the cache.
  }
}
