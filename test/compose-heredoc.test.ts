import { describe, expect, it } from 'vitest';
import { heredocFiles, renderHeredoc } from '../src/context/compose-heredoc.js';
import { positionAt } from '../src/syntax/ast.js';
import { parse } from '../src/syntax/parser.js';

/** A Compose file whose service runs `script` as a literal block (`- |`), indented 8 spaces. */
function composeWith(script: string): { source: string; block: { start: number; end: number; indent: number } } {
  const head = 'services:\n  web:\n    image: nginx:1.27\n    entrypoint:\n      - sh\n      - -c\n      - |\n';
  const body = script
    .split('\n')
    .map((line) => (line === '' ? '' : `        ${line}`))
    .join('\n');
  const source = `${head}${body}\n  app:\n    image: node:20\n`;
  return { source, block: { start: head.length, end: head.length + body.length + 1, indent: 8 } };
}

/** The rendered lines of the body, without the blanked rest. */
function renderedLines(script: string, variables = { project: {}, container: {} }): string[] {
  const { source, block } = composeWith(script);
  const [file] = heredocFiles(source, block);
  return renderHeredoc(source, file!, variables)
    .text.split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

describe('here-documents in a Compose command', () => {
  it('finds each file a here-document writes, in its forms, with the body between the two lines', () => {
    const { source, block } = composeWith(
      [
        "tr a-z A-Z <<< 'here-string' > /etc/nginx/conf.d/not-a-heredoc.conf",
        'cat <<EOF > /etc/nginx/nginx.conf',
        'events {}',
        'EOF',
        "cat > /etc/nginx/conf.d/app.conf << 'END'",
        'server { listen 80; }',
        'END',
        'tee /etc/nginx/conf.d/b.conf <<-EOF >/dev/null',
        'server { listen 81; }',
        '\tEOF',
        'cat <<EOF',
        'to stdout only',
        'EOF',
        'nginx -g "daemon off;"',
      ].join('\n'),
    );
    const files = heredocFiles(source, block);
    expect(files.map(({ target, expands }) => ({ target, expands }))).toEqual([
      { target: '/etc/nginx/nginx.conf', expands: true },
      { target: '/etc/nginx/conf.d/app.conf', expands: false },
      { target: '/etc/nginx/conf.d/b.conf', expands: true },
    ]);
    expect(source.slice(files[1]!.bodyStart, files[1]!.bodyEnd).trim()).toBe('server { listen 80; }');
  });

  it('keeps every line where the Compose file has it, and blanks everything else', () => {
    const { source, block } = composeWith('cat <<EOF > /etc/nginx/nginx.conf\nevents {}\nEOF\nnginx');
    const [file] = heredocFiles(source, block);
    const { text } = renderHeredoc(source, file!, { project: {}, container: {} });
    expect(text.split('\n')).toHaveLength(source.split('\n').length);
    expect(text.split('\n')[8]).toBe('        events {}');
    expect(text.replace(/\s/g, '')).toBe('events{}');
  });

  it("expands as Compose and the shell do: \\$$ is nginx's $, $$NAME the container's variable, $NAME the project's", () => {
    const lines = renderedLines(
      [
        'cat <<EOF > /etc/nginx/conf.d/default.conf',
        'proxy_pass http://read:3100\\$$request_uri;',
        'listen $$PORT;',
        'server_name ${DOMAIN:-example.com};',
        'root \\\\srv;',
        'EOF',
      ].join('\n'),
      { project: {}, container: { PORT: '8080' } },
    );
    expect(lines).toEqual(['proxy_pass http://read:3100$request_uri;', 'listen 8080;', 'server_name example.com;', 'root \\srv;']);
  });

  it('an nginx variable not escaped for the shell is unset there and expands to nothing, as nginx will then read it', () => {
    expect(renderedLines('cat <<EOF > /etc/nginx/conf.d/default.conf\nproxy_set_header Host $$host;\nEOF')).toEqual(['proxy_set_header Host ;']);
  });

  it('a quoted delimiter stops the shell: only Compose interpolates', () => {
    expect(renderedLines("cat <<'EOF' > /etc/nginx/conf.d/default.conf\nproxy_set_header Host $$host;\nEOF")).toEqual([
      'proxy_set_header Host $host;',
    ]);
  });

  it("gives positions in the Compose file's columns: after `\\$$host` or `$$PORT` on a line, as written", () => {
    const { source, block } = composeWith(
      'cat <<EOF > /etc/nginx/conf.d/default.conf\nlisten $$PORT; proxy_set_header Host \\$$host; http2 on;\nEOF',
    );
    const [file] = heredocFiles(source, block);
    const rendered = renderHeredoc(source, file!, { project: {}, container: { PORT: '8080' } });
    const parsed = parse(rendered.text, '/compose.yaml');
    parsed.writtenSpans = rendered.writtenSpans;
    const http2 = rendered.text.indexOf('http2');
    const writtenLine = source.split('\n').find((line) => line.includes('http2 on'))!;
    expect(positionAt(parsed, http2).column).toBe(writtenLine.indexOf('http2') + 1);
    // Before any expansion on the line the columns agree.
    expect(positionAt(parsed, rendered.text.indexOf('listen')).column).toBe(writtenLine.indexOf('listen') + 1);
  });

  it("a variable of an environment variable's shape with no known value is a placeholder", () => {
    const { source, block } = composeWith('cat <<EOF > /etc/nginx/conf.d/default.conf\nlisten $$LISTEN_PORT;\nEOF');
    const [file] = heredocFiles(source, block);
    const rendered = renderHeredoc(source, file!, { project: {}, container: {} });
    const [span] = rendered.placeholders;
    expect(rendered.text.slice(span!.start, span!.end)).toBe('listen_port');
  });
});
