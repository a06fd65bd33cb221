/**
 * Includes as `ngx_conf_include` resolves them, checked against the real nginx where nginx can tell: the order it
 * reads glob matches (its `nginx -T` dump lists the files in reading order), the file it reports a failed include
 * in, and the dump format itself.
 */
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionAt } from '../src/syntax/ast.js';
import { loadProgram, splitDump, type Program } from '../src/load/program.js';
import { parse } from '../src/syntax/parser.js';
import { buildTree, contextPragma, walkTree, type ConfigNode } from '../src/load/tree.js';
import { temporaryTrees } from './helpers/files.js';
import { nginxAvailable, nginxCheck, nginxDump } from './helpers/nginx.js';

const writeTree = temporaryTrees();

/** The files the include statements brought in, in the order they were resolved. */
function includedFiles(program: Program): string[] {
  return [...program.includes.values()].flatMap((resolution) => resolution.files.map((file) => file.path));
}

/** The files an `nginx -T` dump lists after the main one, in the order nginx read them. */
function dumpedIncludes(confPath: string): string[] {
  return [...splitDump(nginxDump(confPath))!.keys()].slice(1);
}

function nodesNamed(nodes: readonly ConfigNode[], name: string): ConfigNode[] {
  const found: ConfigNode[] = [];
  walkTree(nodes, (node) => {
    if (node.directive.name === name) found.push(node);
  });
  return found;
}

/** The line of the `;` that ends an include: the line nginx reports a failed include on. */
function includeLine(program: Program, pattern: string): number {
  const resolution = [...program.includes.values()].find((candidate) => candidate.pattern === pattern)!;
  const directive = resolution.directive;
  return positionAt(directive.file, directive.terminatorStart).line;
}

const HTTP_INCLUDE = (pattern: string) => `events {}\nhttp {\n  include ${pattern};\n}\n`;

describe('glob includes', () => {
  const root = writeTree({
    'nginx.conf': HTTP_INCLUDE('conf.d/*.conf'),
    'conf.d/b.conf': '# b\n',
    'conf.d/a.conf': '# a\n',
    'conf.d/B.conf': '# B\n',
    'conf.d/10.conf': '# 10\n',
    'conf.d/_x.conf': '# _x\n',
    'conf.d/.hidden.conf': '# hidden\n',
    'conf.d/notes.txt': '# not a match\n',
  });
  const confPath = path.join(root, 'nginx.conf');
  const program = loadProgram(confPath);

  it('reads the matches in byte order and skips dotfiles for `*`', () => {
    expect(includedFiles(program).map((file) => path.relative(root, file))).toEqual([
      'conf.d/10.conf',
      'conf.d/B.conf',
      'conf.d/_x.conf',
      'conf.d/a.conf',
      'conf.d/b.conf',
    ]);
  });

  it.runIf(nginxAvailable)('reads them in the order nginx does', () => {
    expect(includedFiles(program)).toEqual(dumpedIncludes(confPath));
  });

  it('matches a dotfile when the pattern spells the dot', () => {
    const dotRoot = writeTree({ 'nginx.conf': HTTP_INCLUDE('conf.d/.*.conf'), 'conf.d/.hidden.conf': '# hidden\n', 'conf.d/a.conf': '# a\n' });
    expect(includedFiles(loadProgram(path.join(dotRoot, 'nginx.conf')))).toEqual([path.join(dotRoot, 'conf.d/.hidden.conf')]);
  });

  it('accepts a pattern that matches nothing, as nginx does', () => {
    const emptyRoot = writeTree({ 'nginx.conf': HTTP_INCLUDE('none/*.conf') });
    const emptyProgram = loadProgram(path.join(emptyRoot, 'nginx.conf'));
    const [resolution] = emptyProgram.includes.values();
    expect(resolution).toMatchObject({ pattern: path.join(emptyRoot, 'none/*.conf'), files: [], error: null });
    expect(buildTree(emptyProgram, 'main').problems).toEqual([]);
    if (nginxAvailable) expect(nginxCheck(path.join(emptyRoot, 'nginx.conf')).message).toBeNull();
  });

  it('reports a directory that matches, which nginx fails to read', () => {
    const dirRoot = writeTree({ 'nginx.conf': HTTP_INCLUDE('conf.d/*'), 'conf.d/a.conf': '# a\n', 'conf.d/sub/b.conf': '# b\n' });
    const [resolution] = loadProgram(path.join(dirRoot, 'nginx.conf')).includes.values();
    expect(resolution!.files.map((file) => file.path)).toEqual([path.join(dirRoot, 'conf.d/a.conf')]);
    expect(resolution!.error).toBe(`cannot read "${path.join(dirRoot, 'conf.d/sub')}": is a directory`);
    if (nginxAvailable) {
      expect(nginxCheck(path.join(dirRoot, 'nginx.conf')).message).toBe(`pread() "${path.join(dirRoot, 'conf.d/sub')}" failed (21: Is a directory)`);
    }
  });

  it('reports a dangling symlink that matches, which nginx fails to open', () => {
    const linkRoot = writeTree({ 'nginx.conf': HTTP_INCLUDE('sites-enabled/*'), 'sites-enabled/a': '# a\n' });
    const dangling = path.join(linkRoot, 'sites-enabled/b');
    symlinkSync(path.join(linkRoot, 'sites-available/b'), dangling);
    const program = loadProgram(path.join(linkRoot, 'nginx.conf'));
    const [resolution] = program.includes.values();
    expect(resolution!.error).toBe(`cannot read "${dangling}": no such file`);
    if (nginxAvailable) {
      expect(nginxCheck(path.join(linkRoot, 'nginx.conf'))).toEqual({
        message: `open() "${dangling}" failed (2: No such file or directory)`,
        file: path.join(linkRoot, 'nginx.conf'),
        line: includeLine(program, path.join(linkRoot, 'sites-enabled/*')),
      });
    }
  });
});

describe('plain includes', () => {
  it('resolves relative paths against the main file directory, not the including file', () => {
    const root = writeTree({
      'nginx.conf': HTTP_INCLUDE('sites/site.conf'),
      'sites/site.conf': 'include snippets/common.conf;\n',
      'snippets/common.conf': 'server_tokens off;\n',
      'sites/snippets/common.conf': 'this file is never read;\n',
    });
    const confPath = path.join(root, 'nginx.conf');
    const expected = [path.join(root, 'sites/site.conf'), path.join(root, 'snippets/common.conf')];
    expect(includedFiles(loadProgram(confPath))).toEqual(expected);
    if (nginxAvailable) expect(dumpedIncludes(confPath)).toEqual(expected);
  });

  it('resolves them against the prefix when one is given', () => {
    const root = writeTree({ 'conf/nginx.conf': HTTP_INCLUDE('extra.conf'), 'prefix/extra.conf': '# from the prefix\n' });
    const program = loadProgram(path.join(root, 'conf/nginx.conf'), { prefix: path.join(root, 'prefix') });
    expect(program.prefix).toBe(path.join(root, 'prefix'));
    expect(includedFiles(program)).toEqual([path.join(root, 'prefix/extra.conf')]);
  });

  it('reports a missing file at the include, with the path and line nginx names', () => {
    const root = writeTree({ 'nginx.conf': HTTP_INCLUDE('missing.conf') });
    const confPath = path.join(root, 'nginx.conf');
    const missing = path.join(root, 'missing.conf');
    const program = loadProgram(confPath);
    const [problem] = buildTree(program, 'main').problems;
    expect(problem).toMatchObject({ kind: 'include-not-found', message: `open() "${missing}" failed (no such file)` });
    expect(problem!.node.directive.name).toBe('include');
    if (nginxAvailable) {
      expect(nginxCheck(confPath)).toEqual({
        message: `open() "${missing}" failed (2: No such file or directory)`,
        file: confPath,
        line: includeLine(program, missing),
      });
    }
  });

  it('reports a symlink loop at the include, as nginx does', () => {
    const root = writeTree({ 'nginx.conf': HTTP_INCLUDE('a.conf') });
    symlinkSync('b.conf', path.join(root, 'a.conf'));
    symlinkSync('a.conf', path.join(root, 'b.conf'));
    const [resolution] = loadProgram(path.join(root, 'nginx.conf')).includes.values();
    expect(resolution!.error).toBe(`open() "${path.join(root, 'a.conf')}" failed (too many levels of symbolic links)`);
    if (nginxAvailable) {
      expect(nginxCheck(path.join(root, 'nginx.conf')).message).toBe(
        `open() "${path.join(root, 'a.conf')}" failed (40: Too many levels of symbolic links)`,
      );
    }
  });
});

describe('include cycles', () => {
  // nginx itself recurses until it crashes on these (a segmentation fault in 1.22.1), so there is nothing to match.
  it('reports a file that includes itself once, and stops', () => {
    const root = writeTree({ 'nginx.conf': HTTP_INCLUDE('self.conf'), 'self.conf': 'include self.conf;\n' });
    const self = path.join(root, 'self.conf');
    const { problems } = buildTree(loadProgram(path.join(root, 'nginx.conf')), 'main');
    expect(problems.map((problem) => [problem.kind, problem.message])).toEqual([['include-cycle', `include cycle: ${self} → ${self}`]]);
  });

  it('reports a cycle through two files and through the main file', () => {
    const root = writeTree({ 'nginx.conf': 'include a.conf;\n', 'a.conf': 'include b.conf;\n', 'b.conf': 'include nginx.conf;\n' });
    const [main, a, b] = ['nginx.conf', 'a.conf', 'b.conf'].map((name) => path.join(root, name));
    const { problems } = buildTree(loadProgram(main!), 'main');
    expect(problems.map((problem) => problem.message)).toEqual([`include cycle: ${main} → ${a} → ${b} → ${main}`]);
  });
});

describe('a file included from two contexts', () => {
  it('gives nodes in both contexts, one per inclusion', () => {
    const root = writeTree({
      'nginx.conf': 'events {}\nhttp {\n  include common.conf;\n  server {\n    include common.conf;\n  }\n}\n',
      'common.conf': 'gzip on;\n',
    });
    const program = loadProgram(path.join(root, 'nginx.conf'));
    expect(program.files.size).toBe(2);
    const gzipNodes = nodesNamed(buildTree(program, 'main').roots, 'gzip');
    expect(gzipNodes.map((node) => node.context)).toEqual(['http', 'server']);
    expect(gzipNodes[0]!.directive).toBe(gzipNodes[1]!.directive);
    expect(gzipNodes.map((node) => node.includedBy!.context)).toEqual(['http', 'server']);
    expect(gzipNodes[1]!.parent!.directive.name).toBe('server');
  });
});

describe('nginx -T dumps', () => {
  const files = {
    'nginx.conf': 'events {}\nhttp {\n  include conf.d/*.conf;\n  include extra/plain.conf;\n}', // no final line break
    'conf.d/a.conf': 'server_tokens off;\r\n', // CRLF
    'conf.d/b.conf': '\n\n# blank lines around\n\n',
    'extra/plain.conf': 'gzip on;\n',
  };
  const root = writeTree(files);
  const confPath = path.join(root, 'nginx.conf');

  it.runIf(nginxAvailable)('split at the markers into exactly the files nginx read', () => {
    const pieces = splitDump(nginxDump(confPath))!;
    expect(Object.fromEntries(pieces)).toEqual(
      Object.fromEntries(Object.entries(files).map(([relative, text]) => [path.join(root, relative), text])),
    );
  });

  it.runIf(nginxAvailable)('load as a program whose includes resolve inside the dump', () => {
    const dumpRoot = writeTree({ 'dump.txt': nginxDump(confPath) });
    const program = loadProgram(path.join(dumpRoot, 'dump.txt'));
    expect(program.fromDump).toBe(true);
    expect(program.entry.path).toBe(confPath);
    expect(program.prefix).toBe(root);
    expect([...program.files.values()].every((file) => file.virtual === true)).toBe(true);
    expect(includedFiles(program)).toEqual(includedFiles(loadProgram(confPath)));
    expect(buildTree(program, 'main').problems).toEqual([]);
  });

  it('tells a missing file in the dump apart from one on disk', () => {
    const dump = `# configuration file /etc/nginx/nginx.conf:\nhttp {\n  include /etc/nginx/gone.conf;\n}\n`;
    const program = loadProgram('/nonexistent/dump.txt', { overlay: new Map([[path.resolve('/nonexistent/dump.txt'), dump]]) });
    const [resolution] = program.includes.values();
    expect(resolution!.error).toBe('open() "/etc/nginx/gone.conf" failed (not in the nginx -T dump)');
  });

  it('are not mistaken for a config whose comment reads like a marker', () => {
    const root = writeTree({ 'nginx.conf': '# configuration file for the shop:\nevents {}\n' });
    const program = loadProgram(path.join(root, 'nginx.conf'));
    expect(program.fromDump).toBe(false);
    expect(program.entry.directives.map((directive) => directive.name)).toEqual(['events']);
  });
});

describe('the context pragma of a snippet', () => {
  it.each([
    ['# nginx-lint context: server\nlisten 80;\n', 'server'],
    ['listen 80;\n  #   nginx-lint context=location  \n', 'location'],
    ['# nginx-lint context: stream-server\r\n', 'stream-server'],
    ['# nginx-lint context: server, maybe\n', null],
    ['# see nginx-lint context: server\n', null],
    ['listen 80; # no pragma here\n', null],
  ])('reads %j as %s', (text, context) => {
    expect(contextPragma(parse(text, 'snippet.conf'))).toBe(context);
  });
});
