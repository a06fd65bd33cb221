/**
 * The files as the nginx container sees them. A repository's nginx config runs inside a container, where
 * `include /etc/nginx/conf.d/*.conf;` reads what a Compose volume (or a Kubernetes ConfigMap, or `--path-map`)
 * mounted there from the repository, and `include mime.types;` reads a file that ships inside the nginx image. The
 * loader asks this view where a container path really is, before it touches the disk; it never reads the host's own
 * `/etc/nginx` for a repository's config.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { dataFile } from '../package-info.js';

/** A container directory or file, and where its content is in the repository. */
export interface PathMapping {
  readonly container: string;
  readonly repo: string;
  /** Where the mapping comes from, for messages: `compose.yaml:9`, `--path-map`, `.nginx-lint.json pathMap`. */
  readonly origin: string;
  /**
   * A Kubernetes ConfigMap volume: the files it holds, by path relative to `container` (`''` for a single key mounted
   * with `subPath`), each the virtual path of a ConfigMap key (src/context/kubernetes-nginx.ts). Nothing else is
   * there: the mount hides what the image had at `container`. `repo` is then the manifest, never read as a folder.
   */
  readonly entries?: ReadonlyMap<string, string>;
  /**
   * A Dockerfile `COPY`: it adds files to what the image has and hides none, so a path it does not hold may still be
   * the image's own (`COPY conf /` leaves the package's /etc/nginx/mime.types in place). A volume hides what it covers.
   */
  readonly copied?: boolean;
  /**
   * A file a start script renders from a template (`envsubst < SRC > DEST`) and then edits with `sed -i '/RE/d' DEST`
   * or `sed -i '1,3d' DEST`: the lines those patterns match, or those numbers, are not in what nginx reads (openwisp
   * deletes its `__UNSET__` sentinel lines; instana/robot-shop its first three, opentracing's, without tracing).
   */
  readonly deletesLines?: readonly LineDeletion[];
}

/** Lines a `sed … d` deletes: those a pattern matches, or those numbered `from` to `to` (1-based, inclusive). */
export type LineDeletion = RegExp | { readonly from: number; readonly to: number };

/** A placeholder a start script's sed replaces (`s/{HTTP_INDEX_FILE}/${HTTP_INDEX_FILE}/g`), and what it writes there. */
export interface SedSubstitution {
  /** The replacement as written in the script (`${HTTP_INDEX_FILE}`, `$UPLOAD_MAX_SIZE`, `on`). */
  readonly replacement: string;
  /** The defaults the same script gives its variables (`: ${HTTP_INDEX_FILE:="index.php"}`). */
  readonly defaults: Readonly<Record<string, string>>;
  /** `docker-entrypoint.sh:252`. */
  readonly origin: string;
  /** An empty value leaves the placeholder as it is (go-replace's `--ignore-empty`). */
  readonly keepsOnEmpty?: boolean;
}

/**
 * A sed command of a start script that rewrites a whole statement of one directive, its arguments whatever they were
 * (huly-selfhost's nginx.sh: `sed -i "s|server_name .*;|server_name ${HOST_ADDRESS};|" ./nginx.conf`, after copying a
 * template whose `server_name ;` is left empty for it).
 */
export interface DirectiveRewrite {
  /** sed's pattern as a JavaScript expression (basic or extended syntax translated). */
  readonly pattern: RegExp;
  /** The replacement as written in the script, in sed's syntax (`\1`, `&`) with the shell's `${NAME}`s unexpanded. */
  readonly replacement: string;
  /** The defaults the same script gives its variables (`${HTTP_BIND:-127.0.0.1}`). */
  readonly defaults: Readonly<Record<string, string>>;
  /** `nginx.sh:29`. */
  readonly origin: string;
}

/** An absolute container path the image build or a start script writes, where, and the path it copies, if one. */
export interface WrittenPath {
  /** `Dockerfile:131`, `root/etc/s6-overlay/s6-rc.d/init-nginx/run:12`. */
  readonly origin: string;
  /** `cp SRC DEST`: the container path the file is a copy of. */
  readonly copyOf?: string;
  /**
   * `echo "TEXT" > DEST`: the one line written, as the shell reads it in double quotes (its `${NAME}`s are the
   * container's environment, expanded when the file is read).
   */
  readonly text?: string;
}

/** What the repository's Dockerfiles and shell scripts do to files (src/context/repository-scripts.ts). */
export interface RepositoryScripts {
  /** By placeholder literal (`{HTTP_INDEX_FILE}`, `@UPLOAD_MAX_SIZE@`): every substitution the scripts make for it. */
  readonly substitutions: ReadonlyMap<string, readonly SedSubstitution[]>;
  /** By absolute container path. */
  readonly written: ReadonlyMap<string, WrittenPath>;
  /** By directive name (`server_name`, `listen`): the sed commands that rewrite a whole statement of it. */
  readonly directiveRewrites: ReadonlyMap<string, readonly DirectiveRewrite[]>;
  /**
   * The commands that edit files in place (`sed -i …`, continued lines joined), as written: a file of the repository
   * one of them names may not hold, in the container, what the repository's copy says.
   */
  readonly editsInPlace?: readonly string[];
}

export interface ContainerView {
  /** Longest container path first, so the most specific mount wins, as it does in the container. */
  readonly mappings: readonly PathMapping[];
  /** Where the entry file is inside the container (`/etc/nginx/nginx.conf`), when a mapping says so. */
  readonly entryContainerPath: string | null;
  /** Files that ship inside the official nginx image are known without reading the host. */
  readonly imageFiles: boolean;
  /** The config runs in OpenResty's image: the same stock files (mime.types, fastcgi_params…) under its conf prefix. */
  readonly openRestyFiles?: boolean;
  /** nginx is Debian's package: its own files under /etc/nginx too (`proxy_params`, `snippets/fastcgi-php.conf`). */
  readonly debianFiles?: boolean;
  /**
   * The config is known to run in the official image (a Compose service runs it): a glob over the image's own
   * folders then sees exactly the image's files (`conf.d/default.conf`) plus what is mounted there. Without it such a
   * glob is unknown territory, not an empty folder.
   */
  readonly runsInImage: boolean;
  /**
   * The image is built on nginx's with files of its own under /etc/nginx that nginx-lint does not have (ModSecurity's
   * `includes/location_common.conf`): an include there that nothing maps may be one of them, so it is not reported.
   */
  readonly imageOwnFiles?: boolean;
  /**
   * Container folders a named volume is mounted over (`certbot-etc:/etc/letsencrypt`): a file there is written at run
   * time (certbot's `options-ssl-nginx.conf`) or seeded from the image, unknown here rather than missing.
   */
  readonly namedVolumes?: () => readonly string[];
  /** Absolute paths no mapping covers may be read from this machine's disk (the entry itself lives there). */
  readonly hostReadable: boolean;
  /**
   * The repository the config belongs to, when it belongs to one: no file whose real path is outside it is read
   * (an include of `../../etc/passwd`, a committed symlink out of the checkout), so neither its content nor a
   * fix can leave the repository.
   */
  readonly repoRoot?: string | null;
  /**
   * The repository's files with this name. An include of a container path nothing maps, whose file name exactly one
   * repository file has, reads that file: it is how the file gets there (a Dockerfile elsewhere copies it), and
   * reading it adds context without inventing content.
   */
  readonly filesNamed?: (name: string) => readonly string[];
  /**
   * The repository's files whose name matches a glob's `namePattern`, in a folder named like the last part of
   * `containerDirectory`; and of those, the ones in a copy of the container's tree: a folder whose path ends with the
   * whole `containerDirectory` (`docker/rootfs/etc/nginx/conf.d` for `/etc/nginx/conf.d`).
   */
  /** What the repository's Dockerfiles and start scripts write and substitute, read once on first use. */
  readonly scripts?: () => RepositoryScripts;
  readonly filesMatching?: (
    containerDirectory: string,
    namePattern: string,
  ) => { readonly inFolderOfThatName: readonly string[]; readonly inMirror: readonly string[] };
}

/** Where a container path resolves: a repository path, a file of the nginx image, or nowhere known. */
export type ContainerResolution =
  | { readonly kind: 'repo'; readonly path: string; readonly mapping: PathMapping }
  /** Mounted from a repository path the repository does not hold (`./data/certbot`): filled in at run time. */
  | { readonly kind: 'runtime'; readonly mapping: PathMapping }
  | { readonly kind: 'image'; readonly path: string; readonly text: string }
  /** Under a ConfigMap mount that holds no such key: nginx fails to open it. */
  | { readonly kind: 'absent'; readonly mapping: PathMapping }
  | { readonly kind: 'unknown' };

/** The official image's configuration directory: its conf prefix, where nginx.conf and the files below live. */
export const IMAGE_CONF_DIR = '/etc/nginx';
const IMAGE_FILES: ReadonlySet<string> = new Set([
  'mime.types',
  'fastcgi_params',
  'fastcgi.conf',
  'scgi_params',
  'uwsgi_params',
  'koi-utf',
  'koi-win',
  'win-utf',
  'nginx.conf',
  'conf.d/default.conf',
]);

/** OpenResty's conf prefix. Its images keep nginx's stock files there; its nginx.conf and conf.d are its own. */
export const OPENRESTY_CONF_DIR = '/usr/local/openresty/nginx/conf';
const OPENRESTY_STOCK_FILES: ReadonlySet<string> = new Set([...IMAGE_FILES].filter((file) => file !== 'nginx.conf' && !file.includes('/')));

/** Files Debian's nginx-common package adds under /etc/nginx (read from Debian 12's nginx-common 1.22.1). */
const DEBIAN_FILES: ReadonlySet<string> = new Set(['proxy_params', 'snippets/fastcgi-php.conf', 'snippets/snakeoil.conf']);

function within(child: string, parent: string): string | null {
  if (child === parent) return '';
  const relative = path.posix.relative(parent, child);
  return relative.startsWith('..') || path.posix.isAbsolute(relative) ? null : relative;
}

/**
 * The conf prefix nginx has in the container: `/etc/nginx` for anything mounted under it (the image's nginx.conf
 * lives there, so a conf.d snippet's relative includes resolve there too), else the entry's own directory.
 */
export function containerPrefix(entryContainerPath: string): string {
  for (const prefix of [IMAGE_CONF_DIR, OPENRESTY_CONF_DIR]) if (within(entryContainerPath, prefix) !== null) return prefix;
  return path.posix.dirname(entryContainerPath);
}

/** Sorts mappings so the most specific (longest) container path comes first. */
export function orderMappings(mappings: readonly PathMapping[]): PathMapping[] {
  return [...mappings].sort((a, b) => b.container.length - a.container.length);
}

/** Whether a mapping puts the repository file `repoPath` in the container: a mapping of the file or of a folder above it. */
export function mapsRepoPath(mapping: Pick<PathMapping, 'repo'>, repoPath: string): boolean {
  return mapping.repo === repoPath || repoPath.startsWith(mapping.repo + path.sep);
}

/** The container path of a repository file that a mapping of it, or of a folder above it, puts in the container. */
export function containerPathIn(mapping: Pick<PathMapping, 'repo' | 'container'>, repoPath: string): string {
  return path.posix.join(mapping.container, path.relative(mapping.repo, repoPath).split(path.sep).join('/'));
}

/** The repository path a container path comes from, through the mappings (the most specific first); null outside them. */
export function repoPathOf(mappings: readonly PathMapping[], containerPath: string): string | null {
  for (const mapping of orderMappings(mappings)) {
    const rest = within(path.posix.normalize(containerPath), mapping.container);
    if (rest !== null) return rest === '' ? mapping.repo : path.join(mapping.repo, ...rest.split('/'));
  }
  return null;
}

export function resolveContainerPath(view: ContainerView, containerPath: string): ContainerResolution {
  const normalized = path.posix.normalize(containerPath);
  for (const mapping of view.mappings) {
    const rest = within(normalized, mapping.container);
    if (rest === null) continue;
    if (mapping.entries) {
      const file = mapping.entries.get(rest);
      if (file !== undefined) return { kind: 'repo', path: file, mapping };
      // A folder of the volume (`rest` itself, or one its keys' paths go through) is there; anything else is not.
      const isFolder = rest === '' || [...mapping.entries.keys()].some((key) => key.startsWith(`${rest}/`));
      return isFolder ? { kind: 'repo', path: path.join(mapping.repo, ...rest.split('/')), mapping } : { kind: 'absent', mapping };
    }
    if (!existsSync(mapping.repo)) return { kind: 'runtime', mapping };
    const repoPath = rest === '' ? mapping.repo : path.join(mapping.repo, ...rest.split('/'));
    if (mapping.copied && !existsSync(repoPath)) continue;
    return { kind: 'repo', path: repoPath, mapping };
  }
  const inImage = view.imageFiles ? within(normalized, IMAGE_CONF_DIR) : null;
  if (inImage !== null && IMAGE_FILES.has(inImage)) {
    return { kind: 'image', path: normalized, text: readFileSync(dataFile(path.join('nginx-image', inImage)), 'utf8') };
  }
  if (view.debianFiles && inImage !== null && DEBIAN_FILES.has(inImage)) {
    return { kind: 'image', path: normalized, text: readFileSync(dataFile(path.join('nginx-debian', inImage)), 'utf8') };
  }
  const inOpenResty = view.openRestyFiles ? within(normalized, OPENRESTY_CONF_DIR) : null;
  if (inOpenResty !== null && OPENRESTY_STOCK_FILES.has(inOpenResty)) {
    return { kind: 'image', path: normalized, text: readFileSync(dataFile(path.join('nginx-image', inOpenResty)), 'utf8') };
  }
  return { kind: 'unknown' };
}

/** Whether a file name matches one path part of an include glob, as glob(3) matches it for nginx. */
export function globNameMatcher(namePattern: string): (name: string) => boolean {
  // No dotfiles unless spelt, no braces, extglobs or globstar.
  return picomatch(namePattern, { dot: false, nobrace: true, noextglob: true, noglobstar: true, posix: true });
}

/**
 * The container paths a glob matches, in the order glob(3) returns them, or null when nothing in the view covers the
 * glob's directory (it is then looked up as any other path). A glob over a mounted directory expands in the
 * repository; a glob over a directory of the image sees the image's files and the files mounted into it one by one.
 */
export function expandContainerGlob(
  view: ContainerView,
  pattern: string,
  expandOnDisk: (repoPattern: string) => string[],
): ContainerResolution[] | null {
  const normalized = path.posix.normalize(pattern);
  const directory = path.posix.dirname(normalized);
  const namePattern = path.posix.basename(normalized);
  if (/[*?[]/.test(directory)) return null;
  const whole = resolveContainerPath(view, directory);
  if (whole.kind === 'runtime' || whole.kind === 'absent') return [];
  if (whole.kind === 'repo' && whole.mapping.entries) {
    // A ConfigMap folder: its keys are all there is.
    const folder = within(directory, whole.mapping.container)!;
    const isMatch = globNameMatcher(namePattern);
    return [...whole.mapping.entries.keys()]
      .filter((key) => path.posix.dirname(key) === (folder === '' ? '.' : folder) && isMatch(path.posix.basename(key)))
      .sort()
      .map((key) => resolveContainerPath(view, path.posix.join(whole.mapping.container, key)));
  }
  if (whole.kind === 'repo') {
    return expandOnDisk(path.join(whole.path, namePattern)).map((repoPath) => ({
      kind: 'repo' as const,
      path: repoPath,
      mapping: whole.mapping,
    }));
  }
  const inImage = view.runsInImage ? within(directory, IMAGE_CONF_DIR) : null;
  const candidates = new Set<string>();
  for (const mapping of view.mappings) if (path.posix.dirname(mapping.container) === directory) candidates.add(mapping.container);
  if (inImage !== null) {
    for (const file of IMAGE_FILES)
      if (path.posix.dirname(path.posix.join(IMAGE_CONF_DIR, file)) === directory) candidates.add(path.posix.join(IMAGE_CONF_DIR, file));
  }
  if (candidates.size === 0) return null;
  const isMatch = globNameMatcher(namePattern);
  const matches = [...candidates].filter((candidate) => isMatch(path.posix.basename(candidate))).sort();
  return matches.map((candidate) => resolveContainerPath(view, candidate));
}
