/**
 * Starts the bundled command line (dist/src/nginx-lint.cjs) from V8's code cache. Node 20 keeps no compiled code
 * between runs (`module.enableCompileCache` is Node 22), so every start compiled the 700 KB bundle and then, one by
 * one, each function a lint calls: ~20 ms of what a small run costs above `node -e ''` (docs/performance.md). This
 * module is CommonJS (`.cts`), as are the bin that requires it and the bundle, so that a lint loads no ES module and
 * never starts Node's ES module loader (~13 ms more).
 *
 * `saveCodeCache` lints a small config once and writes what V8 compiled beside the bundle; the build does it, and so
 * does the install of the packed package (scripts/postinstall.mjs), with the Node that will run it. V8 takes a cache
 * only if the same V8 with the same flags made it for a source of the same length, and checks nothing else of the
 * source: the file therefore starts with the CRC-32 of the bundle it was made from, so that a bundle edited in place
 * (patch-package, a hand fix of the same length) starts from its own text. Without a usable cache the bundle is
 * compiled as before.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { crc32 } from 'node:zlib';

const BUNDLE = path.join(__dirname, '..', 'nginx-lint.cjs');
const CACHE = `${BUNDLE}.cache`;
/** The CRC-32 of the bundle, little-endian, before V8's data. */
const CHECKSUM_BYTES = 4;

interface BundledCli {
  main(argv: readonly string[]): Promise<number>;
}

interface LoadedBundle {
  readonly cli: BundledCli;
  readonly script: vm.Script;
  readonly checksum: number;
  /** What `--debug` says of the cache: used, or why not. */
  readonly cacheState: string;
}

function cachedDataFor(checksum: number): Buffer | string {
  let file: Buffer;
  try {
    file = readFileSync(CACHE);
  } catch {
    return 'none written';
  }
  if (file.length <= CHECKSUM_BYTES || file.readUInt32LE(0) !== checksum) return 'made for another bundle';
  return file.subarray(CHECKSUM_BYTES);
}

function loadBundle(use: 'use-cache' | 'compile'): LoadedBundle {
  const bytes = readFileSync(BUNDLE);
  const checksum = crc32(bytes);
  const cache = use === 'use-cache' ? cachedDataFor(checksum) : 'not asked for';
  const cachedData = typeof cache === 'string' ? undefined : cache;
  // The bundle is CommonJS (scripts/bundle.mjs), with `import.meta.url` and `import()` given as parameters.
  const script = new vm.Script(
    `(function (exports, require, module, __nginxLintBundleUrl, __nginxLintImport) {'use strict';${bytes.toString('utf8')}\n})`,
    {
      filename: BUNDLE,
      cachedData,
    },
  );
  const module = { exports: {} as BundledCli };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    createRequire(BUNDLE),
    module,
    pathToFileURL(BUNDLE).href,
    // Plugins and the language server, through scripts/shims/import-module.mjs.
    (url: string) => import(url),
  );
  const cacheState =
    typeof cache === 'string' ? `not used: ${cache}` : script.cachedDataRejected ? 'not used: made by another Node or with other V8 flags' : 'used';
  return { cli: module.exports, script, checksum, cacheState };
}

/** What bin/nginx-lint.cjs runs. */
export function runBundledCli(argv: readonly string[]): Promise<number> {
  const { cli, cacheState } = loadBundle('use-cache');
  if (argv.includes('--debug')) process.stderr.write(`nginx-lint: code cache ${cacheState} (${CACHE})\n`);
  return cli.main(argv);
}

/** One upstream with keepalive proxied by HTTP/1.0: the parser, the model, a rule with a finding and the report. */
const WARM_UP_CONFIG = `events {}
http {
    upstream app { server 127.0.0.1:8080; keepalive 8; }
    server {
        listen 80;
        location / { proxy_pass http://app; }
    }
}
`;

/**
 * Lints WARM_UP_CONFIG with the bundle and writes the code V8 compiled for it, replacing the file at once (a rename),
 * so that a run starting meanwhile reads the old cache or the new one, never half of one.
 */
export async function saveCodeCache(): Promise<void> {
  const { cli, script, checksum } = loadBundle('compile');
  const scratch = mkdtempSync(path.join(tmpdir(), 'nginx-lint-code-cache-'));
  try {
    // A repository, as where the CLI usually runs (and without the note it prints for a file outside one).
    mkdirSync(path.join(scratch, '.git'));
    const config = path.join(scratch, 'nginx.conf');
    writeFileSync(config, WARM_UP_CONFIG);
    await cli.main(['--no-config-lookup', '--output-file', path.join(scratch, 'report.txt'), config]);
    const header = Buffer.alloc(CHECKSUM_BYTES);
    header.writeUInt32LE(checksum, 0);
    const partial = `${CACHE}.${process.pid}.tmp`;
    writeFileSync(partial, Buffer.concat([header, script.createCachedData()]));
    renameSync(partial, CACHE);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
