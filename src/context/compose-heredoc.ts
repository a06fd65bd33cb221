/**
 * nginx config written by a Compose service's own command: `entrypoint: [sh, -c, "cat <<EOF > /etc/nginx/nginx.conf
 * … EOF\n nginx -g 'daemon off;'"]` (Grafana Loki's getting-started gateway and the many copies of it). The file
 * nginx reads is the here-document's body after two rounds of expansion: Compose interpolates the YAML value (`$$`
 * is a `$`, `${VAR}` the project's variable), then the shell expands the body unless its delimiter is quoted (`\$`
 * is a `$`, `$name` the container's variable, empty when unset). An nginx variable survives both only written
 * `\$$host`; written `$host` it becomes an empty word, and nginx refuses the file.
 *
 * The body is read from the Compose file's literal block scalar (`- |`), so every line is the Compose file's own: the
 * text linted is the Compose file with everything outside the body blanked, line breaks kept, and only the columns
 * after an expansion on its line shift. Other scalar styles rewrap the text and are not read.
 */
import { blanked, WrittenSpans, type RenderedTemplate } from '../load/templates.js';

/** One here-document that writes a file. Offsets are the Compose file's. */
export interface HeredocFile {
  /** The file it writes, an absolute path in the container. */
  readonly target: string;
  /** Where the body starts (the line after the `<<` line) and ends (the start of the delimiter line). */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  /** The shell expands the body: the delimiter is not quoted. */
  readonly expands: boolean;
}

/**
 * A shell here-document's operator (`<<EOF`, `<<-EOF`, `<< 'EOF'`, `<<"EOF"`, not a `<<<` here-string): group 1 the
 * `-` that strips leading tabs, 2 the quote, 3 the delimiter word. Dockerfiles use it too (BuildKit's `RUN <<EOF`).
 */
export const HEREDOC = /(?<!<)<<(?!<)(-?)\s*(['"]?)([A-Za-z_][\w.-]*)\2/;
/** The file a command line writes to: `> /path`, `>> /path`, or `tee [-a] /path`. */
const REDIRECT = /(?:>>?|\btee\s+(?:-a\s+)?)\s*(['"]?)(\/[^\s'";&|<>]+)\1/;

/**
 * The here-documents of a shell script held in a literal block scalar, `[start, end)` of `source`, each line indented
 * by `indent`: those whose command line writes an absolute path.
 */
export function heredocFiles(source: string, block: { readonly start: number; readonly end: number; readonly indent: number }): HeredocFile[] {
  const lines: { start: number; text: string }[] = [];
  for (let start = block.start; start < block.end;) {
    const newline = source.indexOf('\n', start);
    const end = newline === -1 || newline >= block.end ? block.end : newline;
    lines.push({ start, text: source.slice(start, end).replace(/\r$/, '').slice(block.indent) });
    start = end + 1;
  }
  const files: HeredocFile[] = [];
  for (let index = 0; index < lines.length; index++) {
    const heredoc = HEREDOC.exec(lines[index]!.text);
    if (!heredoc) continue;
    const [, stripsTabs, quote, delimiter] = heredoc;
    const target = REDIRECT.exec(lines[index]!.text.replace(HEREDOC, ''))?.[2];
    const close = lines.findIndex((line, at) => at > index && (stripsTabs ? line.text.replace(/^\t+/, '') : line.text).trimEnd() === delimiter);
    // No closing line: the shell reads to the end of the script; not a file this can tell.
    if (close === -1) continue;
    if (target) files.push({ target, bodyStart: lines[index + 1]!.start, bodyEnd: lines[close]!.start, expands: quote === '' });
    index = close;
  }
  return files;
}

/** A rendered here-document, with where a variable in nginx's shape vanished (`SourceFile.expandedAway`). */
export interface RenderedHeredoc extends RenderedTemplate {
  readonly expandedAway: { readonly start: number; readonly written: string }[];
}

/** Values nginx-lint knows for the two rounds of expansion. */
export interface HeredocVariables {
  /** What Compose interpolates from: the project's `.env`. */
  readonly project: Readonly<Record<string, string>>;
  /** What the shell in the container expands from: the service's environment. */
  readonly container: Readonly<Record<string, string>>;
}

/** After a `$`: `{NAME}`, `{NAME:-default}` (the default kept in group 3 for `-` and `=` forms) or `NAME`. */
const NAME = /^(?:\{([A-Za-z_]\w*)(?:(:?[-=])([^}]*)|[:?+][^}]*)?\}|([A-Za-z_]\w*))/;
/** An environment variable's shape: a variable of this shape nginx-lint has no value for is set elsewhere (an env_file). */
const ENVIRONMENT_NAME = /^[A-Z_][A-Za-z0-9_]*$/;

/**
 * The Compose file's text with only the body of `file` left, expanded as Compose and then the shell would: what nginx
 * reads, line for line. A variable of an environment variable's shape with no known value becomes a neutral word
 * marked as a placeholder, as in a rendered template; one in lower case (an nginx variable the author did not escape)
 * is unset in the container and expands to nothing, as it does there.
 */
export function renderHeredoc(source: string, file: HeredocFile, variables: HeredocVariables): RenderedHeredoc {
  const body = source.slice(file.bodyStart, file.bodyEnd);
  const placeholders: { start: number; end: number }[] = [];
  const expandedAway: { start: number; written: string }[] = [];
  let rendered = blanked(source.slice(0, file.bodyStart));
  const spans = new WrittenSpans(source);
  const expand = (reference: RegExpExecArray, known: Readonly<Record<string, string>>, written: string) => {
    const name = (reference[1] ?? reference[4])!;
    const value = known[name] === '' && reference[2]?.startsWith(':') ? undefined : known[name];
    if (value !== undefined) rendered += value;
    else if (reference[3] !== undefined) rendered += reference[3];
    else if (ENVIRONMENT_NAME.test(name)) {
      placeholders.push({ start: rendered.length, end: rendered.length + name.length });
      rendered += name.toLowerCase();
    } else expandedAway.push({ start: rendered.length, written });
  };
  for (let at = 0; at < body.length;) {
    const [renderedStart, writtenStart] = [rendered.length, file.bodyStart + at];
    at = expandOne(at);
    spans.add(rendered, renderedStart, writtenStart, file.bodyStart + at);
  }
  return { text: rendered + blanked(source.slice(file.bodyEnd)), placeholders, expandedAway, writtenSpans: spans.spans };

  /** Renders what starts at `at` in the body: a character, an escape or a variable. Returns where the next starts. */
  function expandOne(at: number): number {
    const rest = body.slice(at, at + 3);
    if (file.expands && rest === '\\$$') {
      // Compose makes it `\$`, the shell a literal `$`: nginx's own variable, written as it must be.
      rendered += '$';
      return at + 3;
    }
    if (file.expands && (rest.startsWith('\\\\') || rest.startsWith('\\`'))) {
      rendered += rest[1];
      return at + 2;
    }
    if (rest.startsWith('$$')) {
      // Compose's escaped `$`: the shell expands what follows, unless the delimiter was quoted.
      const name = file.expands ? NAME.exec(body.slice(at + 2)) : null;
      if (!name) {
        rendered += '$';
        return at + 2;
      }
      expand(name, variables.container, `$$${name[0]}`);
      return at + 2 + name[0].length;
    }
    if (body[at] === '$' && NAME.test(body.slice(at + 1))) {
      // Interpolated by Compose from the project's variables before the shell sees it.
      const name = NAME.exec(body.slice(at + 1))!;
      expand(name, variables.project, `$${name[0]}`);
      return at + 1 + name[0].length;
    }
    rendered += body[at];
    return at + 1;
  }
}
