/**
 * Writes the output of `nginx-lint examples/<name>` into README.md between that example's markers
 * (`<!-- example-output:<name>:start -->`; the first example keeps the plain `example-output` markers), so the README
 * shows what the linter really prints. `--check` exits 1 instead of writing when the README is out of date (the test
 * suite runs it). Needs a build (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = [
  { name: 'shop', markers: 'example-output' },
  { name: 'analytics', markers: 'example-output:analytics' },
];

export function exampleOutput(name = 'shop') {
  const run = spawnSync(process.execPath, ['bin/nginx-lint.cjs', `examples/${name}`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
  });
  if (run.status !== 1) throw new Error(`expected exit 1 from examples/${name}, got ${run.status}: ${run.stderr}`);
  return run.stdout;
}

export function readmeWithExample(readme, output, name = 'shop', markers = 'example-output') {
  const start = readme.indexOf(`<!-- ${markers}:start -->`);
  const end = readme.indexOf(`<!-- ${markers}:end -->`);
  if (start === -1 || end < start) throw new Error(`README.md has no ${markers} markers`);
  const block = `\n\`\`\`console\n$ npx nginx-lint examples/${name}\n${output}\`\`\`\n`;
  return `${readme.slice(0, start + `<!-- ${markers}:start -->`.length)}${block}${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readmePath = path.join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const updated = EXAMPLES.reduce((text, { name, markers }) => readmeWithExample(text, exampleOutput(name), name, markers), readme);
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md example output is out of date: run `node scripts/readme-example.mjs`');
      process.exitCode = 1;
    }
  } else if (updated !== readme) writeFileSync(readmePath, updated);
}
