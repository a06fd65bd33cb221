/**
 * Why the npm package `nginx-conf` is not our parser, shown on inputs real nginx was checked against
 * (shared facts, parser.md §2): it accepts unbalanced braces, misreads a `}` inside a word, and truncates a Lua block
 * at a `}` inside a Lua comment — while our parser agrees with nginx on each.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from '../src/syntax/parser.js';

interface ConfNode {
  name: string;
  value: string;
  children: ConfNode[] | null;
}

const { parse: parseWithNginxConf } = createRequire(import.meta.url)('nginx-conf/dist/src/parser.js') as {
  parse: (source: string, callback: (error: Error | null, tree?: ConfNode) => void) => void;
};

function nginxConfTree(source: string): { error: Error | null; tree: ConfNode | undefined } {
  let outcome: { error: Error | null; tree: ConfNode | undefined } = { error: null, tree: undefined };
  parseWithNginxConf(source, (error, tree) => {
    outcome = { error, tree };
  });
  return outcome;
}

function names(nodes: readonly ConfNode[] | null): string[] {
  return (nodes ?? []).map((node) => node.name);
}

describe('nginx-conf versus nginx (and us)', () => {
  it('a missing } is an error for nginx and for us; nginx-conf reports nothing', () => {
    const source = 'http {\n    server {\n        listen 80;\n';
    expect(nginxConfTree(source).error).toBeNull();
    expect(parse(source, 'x.conf').errors.map((error) => error.message)).toEqual(['unexpected end of file, expecting "}"']);
  });

  it('an extra } is an error for nginx and for us; nginx-conf reports nothing', () => {
    const source = 'events {}\n}\n';
    expect(nginxConfTree(source).error).toBeNull();
    expect(parse(source, 'x.conf').errors.map((error) => error.message)).toEqual(['unexpected "}"']);
  });

  it('a } inside a word is literal for nginx and for us; nginx-conf closes the block there', () => {
    const source = 'server {\n    return 200 a}b;\n    listen 80;\n}\n';
    const ours = parse(source, 'x.conf');
    expect(ours.errors).toEqual([]);
    expect(ours.directives[0]!.children!.map((directive) => directive.name)).toEqual(['return', 'listen']);
    const theirs = nginxConfTree(source).tree!;
    expect(names(theirs.children![0]!.children)).not.toEqual(['return', 'listen']);
  });

  it('a } in a Lua comment does not close the block for nginx and for us; nginx-conf truncates the Lua code', () => {
    const source =
      'location / {\n    content_by_lua_block {\n        -- } closing brace in a comment\n        ngx.say("ok")\n    }\n    add_header X-After 1;\n}\n';
    const ours = parse(source, 'x.conf');
    expect(ours.errors).toEqual([]);
    const location = ours.directives[0]!;
    expect(location.children!.map((directive) => directive.name)).toEqual(['content_by_lua_block', 'add_header']);
    expect(location.children![0]!.luaBody!.raw).toContain('ngx.say("ok")');
    const theirs = nginxConfTree(source).tree!;
    const theirLua = theirs.children![0]!.children!.find((node) => node.name === 'content_by_lua_block');
    expect(theirLua?.value ?? '').not.toContain('ngx.say("ok")');
  });

  it('keeps arguments as one raw string, without positions', () => {
    const theirs = nginxConfTree('add_header X-Test "semi;colon {brace}";\n').tree!;
    expect(theirs.children![0]!.value).toBe('X-Test "semi;colon {brace}"');
    const ours = parse('add_header X-Test "semi;colon {brace}";\n', 'x.conf').directives[0]!;
    expect(ours.args.map((arg) => arg.value)).toEqual(['X-Test', 'semi;colon {brace}']);
    expect(ours.args.map((arg) => [arg.start, arg.end])).toEqual([
      [11, 17],
      [18, 38],
    ]);
  });
});
