/**
 * Reads an entry file and everything it includes, the way `ngx_conf_include` does: relative paths resolve against
 * the prefix (the directory of the main config unless `--prefix` says otherwise), not against the including file;
 * names with `*?[` are globbed (sorted, `*` skips dotfiles, no match is fine); a missing plain file is an error at
 * the `include` line. Each file is read and parsed once; the context it is analysed in is decided later, per
 * inclusion, by the tree builder — so a file included from two places is analysed in both.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileAccess } from './file-access.js';
import picomatch from 'picomatch';
import type { Directive, SourceFile } from '../syntax/ast.js';
import { parse } from '../syntax/parser.js';
import { readsAsAnotherFormat } from './inputs.js';
import { builtinVariable } from '../nginx/variables.js';
import {
  isJinjaTemplate,
  looksLikeJinjaTemplate,
  isTemplate,
  looksLikeGoTemplate,
  looksLikeTemplate,
  renderGoTemplate,
  renderJinja,
  renderSedPlaceholders,
  renderTemplate,
  BARE_SED_PLACEHOLDER,
  SED_PLACEHOLDER,
  holdsEmptyStatement,
  renderDirectiveRewrites,
  scriptDefaults,
} from './templates.js';
import {
  containerPrefix,
  expandContainerGlob,
  globNameMatcher,
  IMAGE_CONF_DIR,
  mapsRepoPath,
  resolveContainerPath,
  type ContainerResolution,
  type ContainerView,
  type LineDeletion,
} from './container-view.js';

export interface IncludeResolution {
  readonly directive: Directive;
  /** The include argument made absolute. */
  readonly pattern: string;
  /**
   * Set when the argument names a path outside the repository that nothing maps into it (no volume, no
   * `pathMap`): nginx-lint does not read the host's files for a repository's config, so it cannot say what is there.
   */
  readonly unmapped?: boolean;
  /** Set when the include is relative, in a template rendered at start-up where nothing in the repository says. */
  readonly renderedElsewhere?: boolean;
  /** Set when a file it names is outside the project root and was not read (file-access.ts): which, and the root. */
  readonly outside?: { readonly path: string; readonly root: string };
  readonly files: SourceFile[];
  /** Set when nginx would stop here: a plain file that cannot be read. */
  readonly error: string | null;
}

export interface Program {
  readonly entry: SourceFile;
  /** Every file read, by absolute path. */
  readonly files: Map<string, SourceFile>;
  readonly includes: Map<Directive, IncludeResolution>;
  readonly prefix: string;
  /** True when the input was an `nginx -T` dump. */
  readonly fromDump: boolean;
}

export interface LoadOptions {
  /** nginx's `-p`/conf prefix: where relative include paths resolve. Defaults to the entry file's directory. */
  readonly prefix?: string;
  /** Follow `include` directives (crossplane's `--single-file` turns this off). Default true. */
  readonly followIncludes?: boolean;
  /** Texts to use instead of reading the disk: stdin, and the files being fixed between fix passes. */
  readonly overlay?: ReadonlyMap<string, string>;
  /** How the container running nginx sees the files: mounts, image files, whether the host may be read. */
  readonly container?: ContainerView;
  /** The nginx container's environment, for rendering `*.template` files as the image does. */
  readonly templateEnvironment?: Readonly<Record<string, string>>;
  /** What may be read (file-access.ts): nothing outside the project root in repository mode. */
  readonly access?: FileAccess;
  /**
   * Config files that live inside another file (a key of a Kubernetes ConfigMap): their text, already positioned as
   * in the file that holds them, and that file. They are read from here, never from the disk, and cannot be fixed.
   */
  readonly embedded?: ReadonlyMap<
    string,
    {
      readonly text: string;
      readonly manifest: string;
      readonly contextOnly?: boolean;
      readonly placeholders?: SourceFile['placeholders'];
      readonly expandedAway?: SourceFile['expandedAway'];
      readonly writtenSpans?: SourceFile['writtenSpans'];
    }
  >;
}

/** A file that cannot be linted at all; the CLI prints it as one line and exits non-zero. */
export class InputError extends Error {
  constructor(
    readonly filePath: string,
    readonly reason: string,
    /** The project root, when the file was not read because it is outside it. */
    readonly outsideRoot?: string,
  ) {
    super(`${filePath}: ${reason}`);
    this.name = 'InputError';
  }
}

// nginx -T names every file by its absolute path; requiring the `/` keeps a comment such as
// `# configuration file for the shop:` from turning a config into a dump.
const DUMP_MARKER = /^# configuration file (\/.*):\r?$/gm;
const GLOB_CHARS = /[*?[]/;
export const MAX_CONFIG_BYTES = 64 * 2 ** 20;

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return (error as Error).message;
  }
}

/** Decodes as UTF-8 when valid, else as latin1 so that every byte survives a round trip through a fix. */
function decode(bytes: Buffer, filePath: string): { text: string; encoding: 'utf8' | 'latin1' } {
  if (bytes.includes(0)) {
    throw new InputError(filePath, 'binary data (a NUL byte), not an nginx configuration file');
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('latin1'), encoding: 'latin1' };
  }
}

export function readConfigFile(filePath: string): SourceFile {
  let bytes: Buffer;
  try {
    const stats = statSync(filePath);
    if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    // Reading a FIFO waits for a writer and reading a device may never end. nginx blocks on the first too, and
    // reads a device as the empty file its stat size says it is.
    if (stats.isFIFO() || stats.isSocket()) throw new Error('not a regular file (a FIFO or socket)');
    // Far above any real configuration (an `nginx -T` of thousands of sites is a few MB): memory stays bounded.
    if (stats.size > MAX_CONFIG_BYTES) throw new Error(`larger than ${MAX_CONFIG_BYTES / 2 ** 20} MiB`);
    bytes = stats.isFile() ? readFileSync(filePath) : Buffer.alloc(0);
  } catch (error) {
    throw new InputError(filePath, describeReadError(error));
  }
  const { text, encoding } = decode(bytes, filePath);
  const file = parse(text, filePath);
  file.encoding = encoding;
  return file;
}

/** Splits `nginx -T` output into its files; returns null when the text is not a dump. */
export function splitDump(text: string): Map<string, string> | null {
  const markers = [...text.matchAll(DUMP_MARKER)];
  if (markers.length === 0) return null;
  const files = new Map<string, string>();
  markers.forEach((marker, index) => {
    const contentStart = marker.index + marker[0].length + 1;
    const next = markers[index + 1];
    // nginx -T writes a LF after every file's text, whether or not the text ended with one.
    let content = text.slice(contentStart, next ? next.index : text.length);
    if (content.endsWith('\n')) content = content.slice(0, -1);
    files.set(marker[1]!, content);
  });
  return files;
}

function parseVirtual(text: string, filePath: string): SourceFile {
  const file = parse(text, filePath);
  file.virtual = true;
  return file;
}

export function loadProgram(entryPath: string, options: LoadOptions = {}): Program {
  const absoluteEntry = path.resolve(entryPath);
  const overlay = options.overlay;
  const access = options.access;
  const embedded = options.embedded;
  const refuseOutside = (filePath: string) => {
    if (access && overlay?.get(filePath) === undefined && !embedded?.has(filePath) && !access.canRead(filePath))
      throw new InputError(filePath, access.refusal(filePath), access.root ?? undefined);
  };
  refuseOutside(absoluteEntry);
  const read = (filePath: string): SourceFile => {
    const inside = embedded?.get(filePath);
    if (inside) {
      const file = parse(overlay?.get(filePath) ?? inside.text, filePath);
      file.virtual = true;
      file.embeddedIn = inside.manifest;
      if (inside.placeholders) file.placeholders = inside.placeholders;
      if (inside.expandedAway) file.expandedAway = inside.expandedAway;
      if (inside.writtenSpans) file.writtenSpans = inside.writtenSpans;
      // Text whose positions are not the manifest's: read for its definitions, like a file of the image, never reported.
      if (inside.contextOnly) file.fromImage = true;
      return file;
    }
    const text = overlay?.get(filePath);
    const file = text === undefined ? readConfigFile(filePath) : parse(text, filePath);
    const go = !isJinjaTemplate(filePath) && looksLikeGoTemplate(file.text);
    if (go || isJinjaTemplate(filePath) || looksLikeJinjaTemplate(file.text)) {
      const template = go ? renderGoTemplate(file.text, undefined, { nginx: true }) : renderJinja(file.text, { nginx: true });
      const rendered = parse(template.text, filePath);
      rendered.virtual = true;
      rendered.placeholders = template.placeholders;
      rendered.writtenSpans = template.writtenSpans;
      return rendered;
    }
    // Placeholders a start script of the repository fills in with sed (zabbix's `{HTTP_INDEX_FILE}`).
    // Asked only of a file holding such a placeholder: reading the repository's scripts costs ~30 ms (this repository).
    const scripts = options.container?.scripts;
    const template = isTemplate(filePath) || looksLikeTemplate(file.text, (name) => builtinVariable('http', name).known);
    const substitutions =
      scripts && (SED_PLACEHOLDER.test(file.text) || (template && BARE_SED_PLACEHOLDER.test(file.text))) ? scripts().substitutions : undefined;
    const filled =
      !template && substitutions && substitutions.size > 0
        ? renderSedPlaceholders(file.text, substitutions, options.templateEnvironment ?? {})
        : null;
    // Statements left empty for a start script to rewrite whole with sed (huly-selfhost's `server_name ;`), in a
    // template too: the script copies it and rewrites the copy, no envsubst.
    const rewrites = !filled && scripts && holdsEmptyStatement(file.text) ? scripts().directiveRewrites : undefined;
    const rewritten = rewrites && rewrites.size > 0 ? renderDirectiveRewrites(file.text, rewrites, options.templateEnvironment ?? {}) : null;
    const result = filled ?? rewritten;
    if (result) {
      const rendered = parse(result.text, filePath);
      rendered.virtual = true;
      rendered.placeholders = result.placeholders;
      rendered.writtenSpans = result.writtenSpans;
      return rendered;
    }
    if (!template) return file;
    const environment = { ...scriptDefaults(filePath, access && ((script) => access.canRead(script))), ...options.templateEnvironment };
    // A script may edit with sed what envsubst rendered (its placeholders are filled in the same pass).
    const substituted = renderTemplate(file.text, environment, substitutions);
    const deletions = options.container?.mappings.find((mapping) => mapping.repo === filePath && mapping.deletesLines)?.deletesLines;
    const rendered = parse(deletions ? withoutLines(substituted.text, deletions) : substituted.text, filePath);
    rendered.virtual = true;
    rendered.placeholders = substituted.placeholders;
    rendered.writtenSpans = substituted.writtenSpans;
    return rendered;
  };
  const rawEntry = read(absoluteEntry);
  const dump = splitDump(rawEntry.text);

  const files = new Map<string, SourceFile>();
  let entry: SourceFile;
  if (dump) {
    for (const [dumpPath, content] of dump) files.set(dumpPath, parseVirtual(content, dumpPath));
    entry = files.get(dump.keys().next().value!)!;
  } else {
    entry = rawEntry;
    files.set(absoluteEntry, entry);
  }
  const prefix = path.resolve(options.prefix ?? path.dirname(entry.path));
  const includes = new Map<Directive, IncludeResolution>();
  const program: Program = { entry, files, includes, prefix, fromDump: dump !== null };
  if (options.followIncludes === false) return program;

  const resolveFile = (filePath: string): SourceFile => {
    const known = files.get(filePath);
    if (known) return known;
    refuseOutside(filePath);
    const file = read(filePath);
    files.set(filePath, file);
    return file;
  };

  const resolveImageFile = (containerPath: string, text: string): SourceFile => {
    const known = files.get(containerPath);
    if (known) return known;
    const file = parseVirtual(text, containerPath);
    file.fromImage = true;
    files.set(containerPath, file);
    return file;
  };

  // A line a start script writes: rendered with the container's environment as envsubst would, read for what it
  // defines (the servers of an upstream), never reported (its text is the script's, not a file of the repository).
  const resolveWrittenLine = (containerPath: string, text: string): SourceFile => {
    const known = files.get(containerPath);
    if (known) return known;
    const template = renderTemplate(text, options.templateEnvironment ?? {});
    const file = resolveImageFile(containerPath, template.text);
    file.placeholders = template.placeholders;
    return file;
  };

  const pending: SourceFile[] = [entry];
  const visit = (file: SourceFile) => {
    // Depth-first in source order with a stack of our own: blocks can nest deeper than the call stack allows.
    const stack = [...file.directives].reverse();
    while (stack.length > 0) {
      const directive = stack.pop()!;
      if (directive.name === 'include' && directive.terminator === ';' && directive.args.length === 1) {
        const container = options.container;
        let resolution = dump
          ? resolveInDump(directive, prefix, files)
          : (container && resolveInContainer(directive, container, resolveFile, resolveImageFile, resolveWrittenLine)) ||
            resolveOnDisk(directive, prefix, resolveFile, access);
        // `include mime.types;` in a config the image runs from elsewhere than a mount (a Dockerfile COPY): the file
        // is the image's own when the repository has none.
        if (resolution.error && container?.imageFiles && !path.isAbsolute(directive.args[0]!.value)) {
          const inImage = resolveContainerPath({ ...container, mappings: [] }, path.posix.join(IMAGE_CONF_DIR, directive.args[0]!.value));
          if (inImage.kind === 'image')
            resolution = { directive, pattern: inImage.path, files: [resolveImageFile(inImage.path, inImage.text)], error: null };
        }
        const argument = directive.args[0]!;
        // An include whose path holds a placeholder of a rendered template (`include ${CONF}.conf;` with no value for
        // CONF, nginx-proxy's `include {{ printf "/etc/nginx/vhost.d/%s" … }};`) names nothing known at all.
        const unknownPath = directive.file.placeholders?.some((span) => span.start < argument.end && argument.start < span.end) ?? false;
        if (resolution.error && resolution.outside === undefined && unknownPath)
          resolution = { directive, pattern: resolution.pattern, files: [], error: null };
        // A template rendered at start-up (wodby's vhost.conf.tmpl, rendered into /etc/nginx/conf.d by its entrypoint)
        // with no known place in the container: its relative includes, and those of the files it includes, resolve
        // against the prefix of an nginx the repository does not name, where they may be rendered too. Read from the
        // repository's copy of /etc/nginx if it has one; else not known to fail, so not an error: a warning that it
        // was not checked.
        if (
          resolution.error &&
          resolution.outside === undefined &&
          container &&
          !container.hostReadable &&
          container.entryContainerPath === null &&
          entry.placeholders !== undefined &&
          !path.isAbsolute(argument.value)
        )
          resolution = resolveInMirroredConfDir(directive, container, resolveFile) ?? { ...resolution, renderedElsewhere: true };
        includes.set(directive, resolution);
        for (const target of resolution.files) {
          if (!visited.has(target)) {
            visited.add(target);
            pending.push(target);
          }
        }
      }
      if (directive.children) for (let index = directive.children.length - 1; index >= 0; index--) stack.push(directive.children[index]!);
    }
  };
  const visited = new Set<SourceFile>([entry]);
  while (pending.length > 0) visit(pending.pop()!);
  return program;
}

/**
 * An include as the container resolves it: relative to the container's conf prefix, through the mounts, or to a file
 * of the nginx image. Null when the view has nothing to say (no mount covers it and the host may be read, or a
 * relative path with no container location for the entry): the caller resolves it on disk as nginx would.
 */
function resolveInContainer(
  directive: Directive,
  view: ContainerView,
  resolveFile: (filePath: string) => SourceFile,
  resolveImageFile: (containerPath: string, text: string) => SourceFile,
  resolveWrittenLine: (containerPath: string, text: string) => SourceFile,
): IncludeResolution | null {
  const argument = directive.args[0]!.value;
  const absolute = path.posix.isAbsolute(argument);
  if (!absolute && view.entryContainerPath === null) return null;
  const pattern = absolute ? path.posix.normalize(argument) : path.posix.join(containerPrefix(view.entryContainerPath!), argument);
  const open = (resolution: ContainerResolution): SourceFile | null => {
    if (resolution.kind === 'repo') return resolveFile(resolution.path);
    if (resolution.kind === 'image') return resolveImageFile(resolution.path, resolution.text);
    if (resolution.kind === 'absent') {
      const { container, origin } = resolution.mapping;
      throw new InputError(pattern, `no such file: the ConfigMap mounted at ${container} (${origin}) has no key for it`);
    }
    return null;
  };
  // Mounted from a folder the repository does not hold: its files appear at run time, and nothing can be said.
  const runtime = resolveContainerPath(view, GLOB_CHARS.test(pattern) ? path.posix.dirname(pattern) : pattern);
  if (runtime.kind === 'runtime') return { directive, pattern, files: [], error: null };
  try {
    if (GLOB_CHARS.test(pattern)) {
      const matches = expandContainerGlob(view, pattern, expandGlob);
      if (matches) return { directive, pattern, files: matches.flatMap((match) => open(match) ?? []), error: null };
    } else {
      const file = open(resolveContainerPath(view, pattern));
      if (file) return { directive, pattern, files: [file], error: null };
    }
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // Named by the container path: the repository-side names of a folder mapped outside the root are not shown.
    return { directive, pattern, files: [], error: `open() "${pattern}" failed (${error.reason})`, ...outsideOf(error, pattern) };
  }
  if (view.hostReadable) return null;
  // A file the image build or a start script writes (`curl -o`, `echo … >`, `cp SRC DEST`, `ln -s SRC DEST`): there
  // when nginx starts, named absolute or relative to the conf prefix (geonode's `include nginx.https.enabled.conf;`,
  // which its entrypoint links or writes empty). A copy of a file the repository holds reads that file; anything else
  // is unknown content, not a missing file.
  const written = GLOB_CHARS.test(pattern) ? undefined : view.scripts?.().written.get(pattern);
  if (written) {
    // `echo "server ${DD_UWSGI_HOST}:${DD_UWSGI_PORT};" > /run/defectdojo/uwsgi_server` (DefectDojo): that line.
    if (written.text !== undefined) return { directive, pattern, files: [resolveWrittenLine(pattern, written.text)], error: null };
    const copied = written.copyOf === undefined ? null : resolveContainerPath(view, written.copyOf);
    if (copied?.kind === 'repo' && !copied.mapping.entries) {
      try {
        return { directive, pattern, files: [resolveFile(copied.path)], error: null };
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
      }
    }
    return { directive, pattern, files: [], error: null };
  }
  // Relative to the conf prefix (`include snippets/fastcgi-php.conf;`): a file an image with nginx inside may ship
  // itself is unknown here, not missing (MISP's misp-core image, its nginx.conf from a ConfigMap); else nginx's
  // prefix on disk.
  if (!absolute) return view.imageOwnFiles && pattern.startsWith(`${IMAGE_CONF_DIR}/`) ? { directive, pattern, files: [], error: null } : null;
  if (GLOB_CHARS.test(pattern)) {
    const directory = path.posix.dirname(pattern);
    const found = GLOB_CHARS.test(directory) ? null : (view.filesMatching?.(directory, path.posix.basename(pattern)) ?? null);
    // A copy of the container's tree in one folder of the repository (pixelfed's templates/etc/nginx/conf.d, which
    // its start script renders into /etc/nginx/conf.d): the glob reads it, in glob(3)'s order.
    const mirrorFolders = new Set(found?.inMirror.map((file) => path.dirname(file)));
    if (found && mirrorFolders.size === 1) {
      try {
        return { directive, pattern, files: [...found.inMirror].sort().map(resolveFile), error: null };
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
      }
    }
    // nginx accepts a glob that matches nothing, and what this one matches comes from the image or from run time.
    // Unless matching files sit in a folder of that name beside the including file (nginx/conf.d/*.conf next to
    // nginx/nginx.conf): a mount is then likely missing, say so. One elsewhere in the repository belongs to another thing.
    // A file the container view already puts elsewhere (webdevops' conf/etc/nginx/conf.d, COPYed under /opt/docker) is
    // not the one missing here.
    const besideIncluder = path.dirname(directive.file.path) + path.sep;
    const unplaced = (file: string) => !view.mappings.some((mapping) => mapsRepoPath(mapping, file));
    if (!found?.inFolderOfThatName.some((file) => file.startsWith(besideIncluder) && unplaced(file)))
      return { directive, pattern, files: [], error: null };
  }
  const sameName = GLOB_CHARS.test(pattern)
    ? []
    : (view.filesNamed?.(path.posix.basename(pattern)) ?? []).filter((file) => !readsAsAnotherFormat(file));
  // No file of that name: the template a start script renders it from (mailcow's bootstrap.py writes
  // /etc/nginx/includes/sites-default.conf from the repository's sites-default.conf.j2), read rendered.
  const candidates =
    sameName.length > 0 || GLOB_CHARS.test(pattern)
      ? sameName
      : RENDERED_FROM.flatMap((suffix) => view.filesNamed?.(`${path.posix.basename(pattern)}${suffix}`) ?? []);
  const source =
    candidates.length === 1
      ? candidates[0]!
      : (repositoryPathEndingIn(candidates, pattern, view.repoRoot) ?? besideIncluder(candidates, directive.file.path));
  if (source !== null) {
    try {
      return { directive, pattern, files: [resolveFile(source)], error: null };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
  // A file the image itself ships, or one in a named volume (another container writes it): unknown, not missing.
  if (view.imageOwnFiles && pattern.startsWith(`${IMAGE_CONF_DIR}/`)) return { directive, pattern, files: [], error: null };
  if (view.namedVolumes?.().some((folder) => pattern.startsWith(`${folder}/`))) return { directive, pattern, files: [], error: null };
  return {
    directive,
    pattern,
    files: [],
    unmapped: true,
    error: `"${pattern}" is a path in the nginx container that nothing in the repository maps`,
  };
}

/**
 * A relative include of a template with no known place in the container, in the repository's copy of the image's
 * conf folder: wherever the template is rendered, nginx resolves the include against its conf prefix, /etc/nginx in
 * the images we know, and nginx-proxy-manager's `include conf.d/include/proxy.conf` in backend/templates is the
 * repository's docker/rootfs/etc/nginx/conf.d/include/proxy.conf (`COPY docker/rootfs /`). Null unless the files
 * are in exactly one such copy.
 */
function resolveInMirroredConfDir(
  directive: Directive,
  view: ContainerView,
  resolveFile: (filePath: string) => SourceFile,
): IncludeResolution | null {
  const pattern = path.posix.join(IMAGE_CONF_DIR, directive.args[0]!.value);
  const directory = path.posix.dirname(pattern);
  if (GLOB_CHARS.test(directory)) return null;
  const mirrored = view.filesMatching?.(directory, path.posix.basename(pattern)).inMirror ?? [];
  if (mirrored.length === 0 || new Set(mirrored.map((file) => path.dirname(file))).size !== 1) return null;
  try {
    return { directive, pattern, files: [...mirrored].sort().map(resolveFile), error: null };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return null;
  }
}

/**
 * The rendered text without the lines a start script deletes (`sed -i '/__UNSET__/d'`): each becomes spaces, so every
 * other statement keeps its offsets and line.
 */
function withoutLines(text: string, deletions: readonly LineDeletion[]): string {
  const deleted = (line: string, number: number) =>
    deletions.some((deletion) => (deletion instanceof RegExp ? deletion.test(line) : number >= deletion.from && number <= deletion.to));
  return text
    .split('\n')
    .map((line, index) => (deleted(line, index + 1) ? ' '.repeat(line.length) : line))
    .join('\n');
}

/** Suffixes of a template whose rendering drops them: `sites-default.conf.j2` is rendered to `sites-default.conf`. */
const RENDERED_FROM = ['.j2', '.jinja', '.jinja2', '.template', '.tpl', '.tmpl'];

/**
 * Of several repository files with the container file's name, the one whose path in the repository the container
 * path ends with (`/home/app/src/docker/files/headers.conf` is the repository's `docker/files/headers.conf`, mounted
 * from a checkout whose location Compose takes from a variable); null when there is not exactly one.
 */
function repositoryPathEndingIn(candidates: readonly string[], containerPath: string, repoRoot: string | null | undefined): string | null {
  if (!repoRoot) return null;
  const matching = candidates.filter((candidate) => containerPath.endsWith(`/${path.relative(repoRoot, candidate).split(path.sep).join('/')}`));
  return matching.length === 1 ? matching[0]! : null;
}

/**
 * Of several repository files with the container file's name, the one in the including file's own folder: files
 * included by container path travel with their includer (Mailu's conf/nginx.conf and conf/proxy.conf, both rendered
 * into /etc/nginx by its start script, beside a dovecot/proxy.conf of another program); null when none is there.
 */
function besideIncluder(candidates: readonly string[], includer: string): string | null {
  return candidates.find((candidate) => path.dirname(candidate) === path.dirname(includer)) ?? null;
}

/** The `outside` mark of a resolution that failed because a file is outside the project root. */
function outsideOf(error: InputError, shownPath = error.filePath): Pick<IncludeResolution, 'outside'> {
  return error.outsideRoot === undefined ? {} : { outside: { path: shownPath, root: error.outsideRoot } };
}

function resolveOnDisk(directive: Directive, prefix: string, resolveFile: (filePath: string) => SourceFile, access?: FileAccess): IncludeResolution {
  const pattern = path.resolve(prefix, directive.args[0]!.value);
  if (GLOB_CHARS.test(pattern)) {
    // Not even the names of a folder outside the root are listed.
    const fixedPart = pattern.slice(0, pattern.search(GLOB_CHARS));
    const folder = fixedPart.endsWith(path.sep) ? fixedPart : path.dirname(fixedPart);
    if (access && !access.canRead(folder)) {
      return {
        directive,
        pattern,
        files: [],
        error: `cannot read "${pattern}": ${access.refusal(folder)}`,
        outside: { path: pattern, root: access.root ?? '' },
      };
    }
    const targets: SourceFile[] = [];
    for (const match of expandGlob(pattern)) {
      try {
        targets.push(resolveFile(match));
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return { directive, pattern, files: targets, error: `cannot read "${match}": ${error.reason}`, ...outsideOf(error) };
      }
    }
    return { directive, pattern, files: targets, error: null };
  }
  try {
    return { directive, pattern, files: [resolveFile(pattern)], error: null };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { directive, pattern, files: [], error: `open() "${pattern}" failed (${error.reason})`, ...outsideOf(error) };
  }
}

/**
 * Expands an include pattern as glob(3) does for nginx: each path part with `*?[` is matched against the names in
 * the directories reached so far (a leading dot only by a pattern that spells it), the other parts are taken as
 * written, and every name found comes back sorted — directories and dangling symlinks too, which nginx then fails
 * to read, so they are reported instead of silently skipped.
 */
function expandGlob(pattern: string): string[] {
  let found = [path.parse(pattern).root];
  for (const part of pattern.split(path.sep).filter((segment) => segment !== '')) {
    if (!GLOB_CHARS.test(part)) {
      found = found.map((directory) => path.join(directory, part));
      continue;
    }
    const isMatch = globNameMatcher(part);
    found = found.flatMap((directory) => {
      try {
        return readdirSync(directory)
          .filter((name) => isMatch(name))
          .map((name) => path.join(directory, name));
      } catch {
        return []; // Not a readable directory: glob(3) skips it.
      }
    });
  }
  return found.filter(existsAsName).sort();
}

/** Whether the name exists, even as a dangling symlink (glob(3) lists those). */
function existsAsName(candidate: string): boolean {
  try {
    lstatSync(candidate);
    return true;
  } catch {
    return false;
  }
}

function resolveInDump(directive: Directive, prefix: string, files: Map<string, SourceFile>): IncludeResolution {
  const pattern = path.resolve(prefix, directive.args[0]!.value);
  if (GLOB_CHARS.test(pattern)) {
    const isMatch = picomatch(pattern, { dot: false });
    const targets = [...files.keys()].filter((candidate) => isMatch(candidate)).sort();
    return { directive, pattern, files: targets.map((target) => files.get(target)!), error: null };
  }
  const target = files.get(pattern);
  return target
    ? { directive, pattern, files: [target], error: null }
    : { directive, pattern, files: [], error: `open() "${pattern}" failed (not in the nginx -T dump)` };
}
