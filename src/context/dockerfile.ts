/**
 * What the Dockerfile of a Compose service with `build:` says: the image it builds FROM (whose tag is the nginx
 * version, or whose name is the app server), the files it COPYs in (container paths mapped to the repository, as
 * volumes are), its `ENV` (what an entrypoint's envsubst sees) and the command it runs (`ENTRYPOINT` and `CMD`, for
 * the app server when Compose states no command). Only the stage that runs counts: the one Compose's `build.target`
 * names, else the last, with what it keeps of the stages it is built on.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Node } from 'yaml';
import { isInside, readRegularTextFile } from '../files.js';
import type { PathMapping } from '../load/container-view.js';
import { blanked, WrittenSpans } from '../load/templates.js';
import type { WrittenSpan } from '../syntax/ast.js';
import { commandWords, imageRepository } from './app-servers.js';
import type { OriginFactory } from './origin.js';
import type { FactOrigin } from './types.js';
import type { YamlDocument } from './yaml.js';
import { HEREDOC } from './compose-heredoc.js';
import { interpolate, projectVariables } from './compose-variables.js';

export interface DockerCommand {
  readonly words: readonly string[];
  readonly origin: FactOrigin;
}

export interface BuiltImage {
  readonly dockerfile: string;
  readonly baseImage: string | null;
  /** `Dockerfile:1`, where the FROM of the stage built is (Compose's `target`, else the last). */
  readonly origin: string;
  readonly copies: PathMapping[];
  readonly environment: Record<string, string>;
  readonly entrypoint: DockerCommand | null;
  readonly command: DockerCommand | null;
  /** The last stage has a `HEALTHCHECK` (not `HEALTHCHECK NONE`): Compose's `service_healthy` can wait for it. */
  readonly healthcheck: boolean;
  /** The bodies of the `RUN` steps of the stage and the stages it is built on, in order. */
  readonly runs: readonly string[];
  /** Every container path a `COPY` or `ADD` of those stages writes to, `--from` and globs included. */
  readonly copiedTo: readonly string[];
  /**
   * The last stage installs nginx from the distribution (`apt-get install nginx`, `apk add nginx`, …): an image that
   * runs nginx though its base image is not nginx's own.
   */
  readonly installsNginx: boolean;
  /**
   * It is Debian's or Ubuntu's package (`apt-get install nginx`, not nginx.org's installed the same way): its files
   * include `proxy_params` and `snippets/`.
   */
  readonly installsDebianNginx: boolean;
  /**
   * The distribution image whose package installs nginx (`debian:bookworm-slim`, the first stage's when later stages
   * build on it): its release says the package's nginx version. Null when nginx is not installed so.
   */
  readonly nginxPackageImage: string | null;
  /** The last stage's `WORKDIR`: where its programs start, and what their relative paths mean. */
  readonly workdir: string;
  /**
   * The stage is built on an official language runtime or distribution image (`python:3.12-slim`, `node:22`,
   * `debian:bookworm`), which holds no application files: what its folders hold besides the system is what the
   * Dockerfile puts there.
   */
  readonly onBareImage: boolean;
  /** nginx compiled from nginx.org's source in this image (or a stage it copies from), null otherwise. */
  readonly nginxSourceBuild: NginxSourceBuild | null;
  /**
   * The release a package install pins (`apt install nginx=1.31.3-1~noble`, `apk add nginx=1.24.0-r1`, `yum install
   * nginx-1.24.0`), ARG and ENV values filled in: whichever repository it comes from, nginx.org's included. Null when
   * the install pins none, or pins it with a variable nothing here sets.
   */
  readonly nginxPinnedPackage: { readonly version: string; readonly origin: string } | null;
}

/**
 * nginx built with its `./configure` in a `RUN` step (RTMP servers, images with third-party modules compiled in):
 * the version of the source it downloads, and the modules `--add-module`/`--add-dynamic-module` add.
 */
export interface NginxSourceBuild {
  /** From `nginx-1.23.1.tar.gz`, ARG and ENV values filled in; null when the download does not say. */
  readonly version: string | null;
  /**
   * The added modules' folder names as written (`nginx-rtmp-module-${NGINX_RTMP_VERSION}` filled in where known), and
   * whether each is dynamic (`--add-dynamic-module`: a `.so` a `load_module` line must load) or compiled in.
   */
  readonly addedModules: readonly { readonly name: string; readonly dynamic: boolean }[];
  /** `Dockerfile:46`, the `RUN` that configures it. */
  readonly origin: string;
}

function isDirectory(candidate: string): boolean {
  try {
    return statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

/**
 * One command of a RUN line that installs packages (`apt-get install`, `apt install`, `apk add`, `yum`/`dnf`/
 * `microdnf`/`zypper install`, and the wrappers base images ship: webdevops' `apt-install`/`apk-install`, bitnami's
 * `install_packages`) naming nginx or a distribution's nginx flavour (`nginx-full`, `nginx-extras`, …), pinned or
 * not (`nginx=${NGINX_VERSION}*`, `nginx-1.24.0`, apk's `nginx=1.24.0-r1`).
 */
const INSTALLS_NGINX =
  /\b(?:apt-get|apt|yum|dnf|microdnf|zypper)\s+(?:[^&|;]*\s)?install\s+(?:[^&|;]*\s)?nginx(?:-[a-z]+)?(?:[=-][\d$]\S*)?(?=\s|$)|\bapk\s+(?:[^&|;]*\s)?add\s+(?:[^&|;]*\s)?nginx(?:[=~<>]\S*)?(?=\s|$)|(?:^|[\s;&|])(?:apt-install|apk-install|install_packages)\s+(?:[^&|;]*\s)?nginx(?:-[a-z]+)?(?=\s|$)/m;
/** A package source other than the distribution's: nginx.org's own packages, a PPA, OpenResty's repository. */
const OTHER_NGINX_SOURCE = /nginx\.org\/packages|packages\.nginx\.org|ppa:[\w.-]+\/nginx|openresty\.org/i;
/**
 * nginx.org's own packages: installed with apt on Debian or Ubuntu, but built as nginx.org builds them, with
 * nginx.conf, conf.d/ and the *_params files only (no proxy_params, snippets/ or sites-enabled/ of Debian's).
 */
const NGINX_ORG_SOURCE = /nginx\.org\/packages|packages\.nginx\.org/i;
/**
 * nginx's own `./configure` (not another program's): one of the options only nginx's has, in the same command. A
 * clone of nginx's repository has it as `./auto/configure` (macbre/docker-nginx-http3).
 */
const CONFIGURES_NGINX =
  /(?:\.\/|\bauto\/)configure\b[^&;|]*?\s--(?:add-module|add-dynamic-module|conf-path|with-http_[a-z0-9_]+_module|http-log-path)\b/;
/** The source archive of an nginx release, as nginx.org names it. */
const NGINX_SOURCE_ARCHIVE = /\bnginx-(\d+\.\d+\.\d+)\.tar\.gz\b/;
/**
 * The folder `./configure` runs in, named for the release (`cd /usr/src/nginx-1.31.3`): the version of a source that
 * is no archive, a clone of nginx's repository (`git clone https://github.com/nginx/nginx.git /usr/src/nginx-$NGINX_VERSION`).
 */
const NGINX_SOURCE_FOLDER = /\bcd\s+["']?\S*?\bnginx-(\d+\.\d+\.\d+)["']?(?=[\s;&/]|$)/;
const ADDED_MODULE = /\s--add-(dynamic-)?module=["']?([^\s"']+)/g;
/** The release in the package an install names, pinned: `nginx=1.31.3-1~noble`, `nginx-full=1.22.1-9`, `nginx-1.24.0`. */
const PINNED_NGINX = /\bnginx(?:-[a-z]+)?[=-](\d+\.\d+\.\d+)[^\s]*$/;
/** The same for Debian's package manager only. */
const APT_INSTALLS_NGINX = /\b(?:apt-get|apt)\s+(?:[^&|;]*\s)?install\s+(?:[^&|;]*\s)?nginx(?:-[a-z]+)?(?:[=-][\d$]\S*)?(?=\s|$)/m;

interface Instruction {
  readonly keyword: string;
  readonly body: string;
  readonly line: number;
}

/**
 * A Dockerfile's instructions with the line each starts on: a trailing `\` continues an instruction on the next
 * line, and comment lines inside a continued instruction are dropped, as Docker does. A here-document (`RUN <<EOF`,
 * BuildKit's; misp-docker installs nginx in one) is part of its instruction, up to the line that holds only its
 * delimiter.
 */
function instructionsOf(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let current: { text: string; line: number } | null = null;
  let heredoc: { delimiter: string; instruction: { text: string; line: number } } | null = null;
  const finish = (done: { text: string; line: number }) => {
    const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(done.text);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), body: match[2]!.trim(), line: done.line });
  };
  text.split(/\r?\n/).forEach((physical, index) => {
    if (heredoc !== null) {
      if (physical.trim() === heredoc.delimiter) {
        finish(heredoc.instruction);
        heredoc = null;
      } else heredoc.instruction.text += `\n${physical}`;
      return;
    }
    if (/^\s*#/.test(physical)) return;
    const continued = /\\\s*$/.test(physical);
    const part = continued ? physical.replace(/\\\s*$/, ' ') : physical;
    if (current === null) current = { text: part, line: index + 1 };
    else current.text += part;
    if (!continued) {
      const opened = HEREDOC.exec(current.text);
      if (opened) heredoc = { delimiter: opened[3]!, instruction: current };
      else finish(current);
      current = null;
    }
  });
  const unfinished = current ?? (heredoc as { instruction: { text: string; line: number } } | null)?.instruction;
  if (unfinished) finish(unfinished);
  return instructions;
}

/** A FROM operand without its quotes, the ARGs declared before the first FROM filled in where they have a default. */
function fromImage(operand: string | null, globalArguments: ReadonlyMap<string, string>): string | null {
  if (operand === null) return null;
  return expandVariables(/^(["'])(.*)\1$/.exec(operand)?.[2] ?? operand, globalArguments);
}

/**
 * `ENV A=1 B="two words"` or the legacy `ENV NAME value with spaces`, the values of ARGs and ENVs set before it
 * expanded as Docker expands them (`GITLAB_RUNTIME_DIR="${GITLAB_CACHE_DIR}/runtime"`); single quotes keep a value
 * as written.
 */
function environmentOf(body: string, variables: ReadonlyMap<string, string> = new Map()): Record<string, string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(body)) {
    const [name, ...value] = body.split(/\s+/);
    return name ? { [name]: expandVariables(value.join(' '), variables) } : {};
  }
  const environment: Record<string, string> = {};
  for (const match of body.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))/g)) {
    const expanded = (text: string) => expandVariables(text, variables);
    environment[match[1]!] = match[2] !== undefined ? expanded(match[2].replace(/\\(.)/g, '$1')) : (match[3] ?? expanded(match[4] ?? ''));
  }
  return environment;
}

/** `CMD ["gunicorn", "app:app"]` (exec form) or `CMD gunicorn app:app` (shell form, run by `sh -c`). */
function commandOf(body: string): string[] {
  if (body.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // Docker runs a malformed exec form as a shell command too.
    }
  }
  return commandWords(body);
}

/**
 * The Dockerfile of a service with `build:` (a string context or `{ context, dockerfile }`), read when it is inside
 * `boundary` (the project root, else the Compose file's folder): a Dockerfile linking elsewhere is not read.
 */
export function builtImageOf(document: YamlDocument, service: Node | null, origins: OriginFactory, boundary: string): BuiltImage | null {
  const build = buildOf(document, service);
  return build && readDockerfile(build.dockerfile, build.context, origins, boundary, build);
}

/**
 * The build context and Dockerfile of a service with `build:` (a string context or `{ context, dockerfile }`), with
 * the stage it builds (`target`) and its build `args` (a map or a list of `NAME=value`). An argument whose value
 * Compose would interpolate is null: its value is not known here.
 */
export function buildOf(
  document: YamlDocument,
  service: Node | null,
): {
  readonly context: string;
  readonly dockerfile: string;
  readonly target: string | null;
  readonly args: ReadonlyMap<string, string | null>;
} | null {
  const build = document.at(service, 'build');
  if (build === null) return null;
  const context = path.resolve(path.dirname(document.file), document.text(build) ?? document.text(document.at(build, 'context')) ?? '.');
  const args = new Map<string, string | null>();
  const known = (value: string) => (value.includes('$') ? null : value);
  const argsNode = document.at(build, 'args');
  for (const { key, value } of document.entries(argsNode)) args.set(key, known(document.text(value) ?? ''));
  for (const item of document.items(argsNode)) {
    const [name, ...rest] = (document.text(item) ?? '').split('=');
    if (name) args.set(name, rest.length > 0 ? known(rest.join('=')) : null);
  }
  return {
    context,
    dockerfile: path.resolve(context, document.text(document.at(build, 'dockerfile')) ?? 'Dockerfile'),
    target: targetOf(document, build),
    args,
  };
}

/**
 * The stage `build.target` names, interpolated from the project's `.env` as Compose does
 * (`${APP_BUILD_TARGET:-development}`); null when none is named or a variable nothing here sets names it.
 */
function targetOf(document: YamlDocument, build: Node): string | null {
  const written = document.text(document.at(build, 'target'));
  if (written === null) return null;
  const target = interpolate(written, written.includes('$') ? projectVariables(path.dirname(document.file)) : {});
  return target ? target.toLowerCase() : null;
}

/** What a build chooses: the stage it produces (`--target`, else the last) and its `--build-arg` values (null: unknown). */
export interface BuildChoice {
  readonly target?: string | null;
  readonly args?: ReadonlyMap<string, string | null>;
}

/**
 * A Dockerfile no Compose file builds, whose build context nothing here names: its own folder, as `docker build` in
 * that folder takes it, unless none of its COPY sources is there; then the nearest folder above, up to `boundary`,
 * that has one (bitwarden/server builds util/Nginx/Dockerfile from the repository root: `COPY util/Nginx/nginx.conf`).
 */
export function readDockerfileInItsContext(dockerfile: string, origins: OriginFactory, boundary: string): BuiltImage | null {
  const own = readDockerfile(dockerfile, path.dirname(dockerfile), origins, boundary);
  const copiesSomething = (built: BuiltImage) => built.copies.some((copy) => existsSync(copy.repo));
  if (!own || own.copies.length === 0 || copiesSomething(own)) return own;
  let context = path.dirname(dockerfile);
  while (context !== path.dirname(context) && isInside(path.dirname(context), boundary)) {
    context = path.dirname(context);
    const built = readDockerfile(dockerfile, context, origins, boundary);
    if (built && copiesSomething(built)) return built;
  }
  return own;
}

/** A Dockerfile built with `context` as its build context; null when it is outside `boundary` or unreadable. */
export function readDockerfile(
  dockerfile: string,
  context: string,
  origins: OriginFactory,
  boundary: string,
  build: BuildChoice = {},
): BuiltImage | null {
  let text: string;
  try {
    if (!isInside(dockerfile, boundary)) return null;
    text = readRegularTextFile(dockerfile);
  } catch {
    return null;
  }
  const label = origins.file(dockerfile).label;
  let baseImage: string | null = null;
  let fromLine = 0;
  let workdir = '/';
  let copies: PathMapping[] = [];
  let environment: Record<string, string> = {};
  let entrypoint: DockerCommand | null = null;
  let command: DockerCommand | null = null;
  let healthcheck = false;
  let runs: string[] = [];
  let copiedTo: string[] = [];
  let installsNginx = false;
  let installsDebianNginx = false;
  let stageName: string | null = null;
  const globalArguments = new Map<string, string>();
  const stagesInstallingNginx = new Map<
    string,
    {
      any: boolean;
      debian: boolean;
      root: string | null;
      otherSource: boolean;
      nginxOrg: boolean;
      sourceBuild: NginxSourceBuild | null;
      pinned: BuiltImage['nginxPinnedPackage'];
    }
  >();
  // ARG and ENV values of the current stage, for the version and module names in its RUN steps.
  let variables = new Map<string, string>();
  let stageDownloads: string[] = [];
  let sourceBuild: NginxSourceBuild | null = null;
  // The image a stage is built on at the root of its chain of stages: `FROM base` after `FROM debian:12 AS base`.
  let rootImage: string | null = null;
  let otherSource = false;
  let nginxOrg = false;
  let pinned: BuiltImage['nginxPinnedPackage'] = null;
  // What each named stage produces, for a stage built on it (`FROM base AS web`) and for Compose's `target`.
  const stageImages = new Map<string, BuiltImage>();
  const produced = (): BuiltImage => ({
    dockerfile,
    // A stage built on an earlier one runs on the image at the root of its chain.
    baseImage: rootImage,
    origin: `${label}:${fromLine}`,
    copies,
    environment,
    entrypoint,
    command,
    healthcheck,
    runs,
    copiedTo,
    installsNginx,
    installsDebianNginx: installsDebianNginx && !nginxOrg,
    nginxPackageImage: installsNginx && !otherSource ? rootImage : null,
    workdir,
    onBareImage: rootImage !== null && isBareImage(rootImage),
    nginxSourceBuild: sourceBuild,
    nginxPinnedPackage: pinned,
  });
  for (const { keyword, body, line } of instructionsOf(text)) {
    const words = body.split(/\s+/);
    if (keyword === 'COPY' || keyword === 'ADD') {
      // Where it writes, whatever it copies: `COPY --from=… src dest`, `COPY ["src", "dest"]` (the exec form).
      const operands = body.includes('[') ? commandOf(body.replace(/^(?:--\S+\s+)*/, '')) : words.filter((word) => !word.startsWith('--'));
      const destination = operands.pop();
      if (destination) copiedTo.push(path.posix.resolve(workdir, expandVariables(destination, variables)));
    }
    if (keyword === 'ARG' && baseImage === null && stageName === null) {
      // An ARG before the first FROM may be used in FROM lines (`FROM "${DOCKER_HUB_PROXY}python:3.14-slim-trixie"`,
      // `FROM ${TARGET}`), a build argument replacing its default; one whose value is unknown stays as written.
      const declared = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(?:"([^"]*)"|'([^']*)'|(\S*)))?/.exec(body);
      const value = declared && (build.args?.has(declared[1]!) ? build.args.get(declared[1]!) : (declared[2] ?? declared[3] ?? declared[4]));
      if (declared && typeof value === 'string') globalArguments.set(declared[1]!, value);
    } else if (keyword === 'FROM') {
      if (stageName !== null) stageImages.set(stageName, produced());
      if (stageName !== null) {
        stagesInstallingNginx.set(stageName, {
          any: installsNginx,
          debian: installsDebianNginx,
          root: rootImage,
          otherSource,
          nginxOrg,
          sourceBuild,
          pinned,
        });
      }
      baseImage = fromImage(words.find((word) => !word.startsWith('--')) ?? null, globalArguments);
      stageName = /^as$/i.test(words[words.length - 2] ?? '') ? words[words.length - 1]!.toLowerCase() : null;
      fromLine = line;
      // A stage built on an earlier one starts with its files, environment, working folder and commands.
      const parent = stageImages.get(baseImage?.toLowerCase() ?? '');
      copies = [...(parent?.copies ?? [])];
      environment = { ...parent?.environment };
      entrypoint = parent?.entrypoint ?? null;
      command = parent?.command ?? null;
      healthcheck = parent?.healthcheck ?? false;
      runs = [...(parent?.runs ?? [])];
      copiedTo = [...(parent?.copiedTo ?? [])];
      workdir = parent?.workdir ?? '/';
      // `FROM base AS production` after `FROM debian AS base` + `apt-get install nginx`: built on that stage, it has it.
      const earlier = stagesInstallingNginx.get(baseImage?.toLowerCase() ?? '');
      installsNginx = earlier?.any ?? false;
      installsDebianNginx = earlier?.debian ?? false;
      rootImage = earlier ? earlier.root : baseImage;
      otherSource = earlier?.otherSource ?? false;
      nginxOrg = earlier?.nginxOrg ?? false;
      sourceBuild = earlier?.sourceBuild ?? null;
      pinned = earlier?.pinned ?? null;
      variables = new Map(Object.entries(environment));
      stageDownloads = [];
    } else if (keyword === 'ARG') {
      // `ARG NAME` in a stage takes the build argument, else its own default, else the one declared before the first
      // FROM (`ARG NAME=value`).
      const declared = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(?:"([^"]*)"|'([^']*)'|(\S*)))?/.exec(body);
      if (declared) {
        const given = build.args?.has(declared[1]!) ? build.args.get(declared[1]!) : undefined;
        const value = given !== undefined ? given : (declared[2] ?? declared[3] ?? declared[4] ?? globalArguments.get(declared[1]!));
        if (typeof value === 'string') variables.set(declared[1]!, value);
        else variables.delete(declared[1]!);
      }
    } else if (keyword === 'RUN') {
      runs.push(body);
      installsNginx ||= INSTALLS_NGINX.test(body);
      installsDebianNginx ||= APT_INSTALLS_NGINX.test(body);
      otherSource ||= OTHER_NGINX_SOURCE.test(body);
      nginxOrg ||= NGINX_ORG_SOURCE.test(body);
      const expanded = expandVariables(body, variables);
      const install = INSTALLS_NGINX.exec(expanded);
      const version = install ? PINNED_NGINX.exec(install[0]) : null;
      if (version) pinned = { version: version[1]!, origin: `${label}:${line} ${version[0]}` };
      if (CONFIGURES_NGINX.test(expanded)) {
        const version = NGINX_SOURCE_ARCHIVE.exec(expanded)?.[1] ?? sourceVersion(stageDownloads) ?? NGINX_SOURCE_FOLDER.exec(expanded)?.[1] ?? null;
        const addedModules = [...expanded.matchAll(ADDED_MODULE)].map((match) => ({
          name: path.posix.basename(match[2]!.replace(/\/+$/, '')),
          dynamic: match[1] !== undefined,
        }));
        sourceBuild = { version, addedModules, origin: `${label}:${line}` };
      }
      stageDownloads.push(expanded);
    } else if (keyword === 'HEALTHCHECK') {
      healthcheck = !/^NONE\b/i.test(body);
    } else if (keyword === 'ENV') {
      const declared = environmentOf(body, variables);
      Object.assign(environment, declared);
      for (const [name, value] of Object.entries(declared)) variables.set(name, value);
    } else if (keyword === 'WORKDIR' && words[0]) {
      workdir = path.posix.resolve(workdir, expandVariables(words[0], variables));
    } else if (keyword === 'ENTRYPOINT') {
      entrypoint = { words: commandOf(body), origin: origins.yaml(dockerfile, line) };
    } else if (keyword === 'CMD') {
      command = { words: commandOf(body), origin: origins.yaml(dockerfile, line) };
    } else if ((keyword === 'COPY' || keyword === 'ADD') && words.some((word) => word.startsWith('--from='))) {
      // `COPY --from=build /usr/local/nginx …`: the nginx a stage compiled is this image's.
      const from = words
        .find((word) => word.startsWith('--from='))!
        .slice('--from='.length)
        .toLowerCase();
      sourceBuild ??= stagesInstallingNginx.get(from)?.sourceBuild ?? null;
    } else if ((keyword === 'COPY' || keyword === 'ADD') && !words.some((word) => word.startsWith('--from'))) {
      // Multi-stage copies (`--from`), URLs and globs name nothing in the repository one to one. Docker expands the
      // stage's ARG and ENV values in both (`COPY config/fpm-pool.conf ${PHP_INI_DIR}/php-fpm.d/www.conf`); a variable
      // nothing here sets stays as written.
      const operands = words.filter((word) => !word.startsWith('--')).map((word) => expandVariables(word, variables));
      const target = operands.pop();
      if (!target || operands.length === 0) continue;
      const destination = path.posix.resolve(workdir, target);
      for (const source of operands) {
        if (/[*?[]|:\/\//.test(source)) continue;
        const repo = path.resolve(context, source);
        // A folder's contents are copied, not the folder (`COPY conf /` puts conf/etc/nginx at /etc/nginx); a file
        // lands in a target folder under its own name.
        const into =
          !isDirectory(repo) && (operands.length > 1 || target.endsWith('/'))
            ? path.posix.join(destination, path.posix.basename(source))
            : destination;
        copies.push({ container: into, repo, origin: `${label}:${line}`, copied: true });
      }
    }
  }
  const last = produced();
  // Compose's `target` builds that stage and stops (a target the file does not have fails the build).
  return build.target ? (stageImages.get(build.target) ?? (stageName === build.target ? last : null)) : last;
}

/** Official images of language runtimes and distributions (docker-library), and Google's distroless images. */
const BARE_IMAGES = new Set(
  'alpine debian ubuntu busybox scratch python node ruby golang rust openjdk eclipse-temurin amazoncorretto elixir erlang php'.split(' '),
);

function isBareImage(image: string): boolean {
  const repository = imageRepository(image).toLowerCase();
  return BARE_IMAGES.has(repository) || repository.startsWith('gcr.io/distroless/');
}

/** `$NAME` and `${NAME}` replaced by the values known; others left as written. */
function expandVariables(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (reference, braced?: string, bare?: string) => {
    return variables.get((braced ?? bare)!) ?? reference;
  });
}

/** The nginx release an earlier `RUN` of the stage downloaded (the archive is often fetched a step before `./configure`). */
function sourceVersion(downloads: readonly string[]): string | null {
  for (let index = downloads.length - 1; index >= 0; index--) {
    const version = NGINX_SOURCE_ARCHIVE.exec(downloads[index]!)?.[1];
    if (version) return version;
  }
  return null;
}

/** A file a `RUN echo "…" > /path` step writes: the echoed text, laid out on the Dockerfile's own lines. */
export interface EchoedFile {
  /** The absolute container path written. */
  readonly target: string;
  /** The Dockerfile's text with everything but the echoed text blanked, line breaks kept (as `renderHeredoc`'s). */
  readonly text: string;
  /** Where a shell variable whose value is not known stands in `text` (a neutral word, its name in lower case). */
  readonly placeholders: { start: number; end: number }[];
  /** Where `text` differs from the Dockerfile's (`\$` is `$`): positions are reported in the Dockerfile's columns. */
  readonly writtenSpans: WrittenSpan[];
}

/** `echo "` or `echo '` in a RUN step: the quote opens the text written. */
const ECHO_QUOTED = /(?:^|[\s;&|(])echo\s+(["'])/g;
/** After the closing quote: the redirection to an absolute path, across continued lines. */
const ECHO_REDIRECT = /^[ \t]*>[ \t]*(["']?)(\/[^\s'";&|<>]+)\1/;
/** A `\` ending a physical line, spaces after it allowed: Docker joins the next line to this one. */
const CONTINUATION = /^\\[ \t]*\r?\n/;
/** After `$` in double quotes: `{NAME}` or `NAME`. */
const SHELL_NAME = /^(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/;

/**
 * The files the RUN steps of a Dockerfile write with one `echo` of a quoted text (JeecgBoot's front-end image writes
 * its whole nginx site so: `RUN echo "server { \ listen 80; \ … }" > /etc/nginx/conf.d/default.conf`). Docker joins
 * the continued lines before the shell runs, dropping the comment lines between them, so the file is one line; the
 * shell then undoes `\$`, `\\`, `\"` and `` \` `` in double quotes. The text is laid out on the Dockerfile's lines, a
 * dropped comment line blank; since the real file is one line, an nginx comment in it (a `#` starting a word, outside
 * quotes) hides everything after it, and is blanked to the end. A variable the shell expands becomes a placeholder.
 * A text with a line break the shell would see, or not redirected to an absolute path, writes nothing known.
 */
export function echoedFiles(text: string): EchoedFile[] {
  const files: EchoedFile[] = [];
  for (const echo of text.matchAll(ECHO_QUOTED)) {
    const quote = echo[1]!;
    const bodyStart = echo.index + echo[0].length;
    if (!inRunStep(text, echo.index)) continue;
    const placeholders: { start: number; end: number }[] = [];
    const spans = new WrittenSpans(text);
    const blankPrefix = blanked(text.slice(0, bodyStart));
    let body = '';
    let at = bodyStart;
    let closed = false;
    while (at < text.length) {
      const rest = text.slice(at);
      const continuation = rest[0] === '\\' ? CONTINUATION.exec(rest) : null;
      if (continuation) {
        body += blanked(continuation[0]);
        at += continuation[0].length;
        // The comment lines Docker drops from a continued instruction.
        for (let comment = /^[ \t]*#[^\n]*\n/.exec(text.slice(at)); comment; comment = /^[ \t]*#[^\n]*\n/.exec(text.slice(at))) {
          body += blanked(comment[0]);
          at += comment[0].length;
        }
        continue;
      }
      const char = text[at]!;
      if (char === '\n') break;
      if (char === quote) {
        closed = true;
        break;
      }
      if (quote === '"' && char === '\\' && '$\\"`'.includes(rest[1] ?? '')) {
        const renderedStart = bodyStart + body.length;
        body += rest[1];
        spans.add(blankPrefix + body, renderedStart, at, at + 2);
        at += 2;
      } else if (quote === '"' && char === '$' && SHELL_NAME.test(rest.slice(1))) {
        const name = SHELL_NAME.exec(rest.slice(1))!;
        const word = (name[1] ?? name[2]!).toLowerCase();
        const renderedStart = bodyStart + body.length;
        placeholders.push({ start: renderedStart, end: renderedStart + word.length });
        body += word;
        spans.add(blankPrefix + body, renderedStart, at, at + 1 + name[0].length);
        at += 1 + name[0].length;
      } else {
        body += char;
        at++;
      }
    }
    if (!closed) continue;
    // The redirection may follow on a continued line.
    let after = text.slice(at + 1);
    for (let continuation = /^[ \t]*\\[ \t]*\r?\n/.exec(after); continuation; continuation = /^[ \t]*\\[ \t]*\r?\n/.exec(after)) {
      after = after.slice(continuation[0].length);
    }
    const target = ECHO_REDIRECT.exec(after)?.[2];
    if (!target) continue;
    const visible = withoutTrailingComment(body);
    files.push({
      target,
      // The closing quote and what follows are blanked from the original text: its line breaks are the body's too.
      text: blankPrefix + visible + blanked(text.slice(at)),
      // Those in a comment are gone.
      placeholders: placeholders.filter((placeholder) => visible.slice(placeholder.start - bodyStart, placeholder.end - bodyStart).trim() !== ''),
      writtenSpans: spans.spans,
    });
  }
  return files;
}

/** Whether `offset` is in a RUN instruction: the physical lines before it continue back to a line starting `RUN`. */
function inRunStep(text: string, offset: number): boolean {
  let lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  for (;;) {
    const line = text.slice(lineStart, text.indexOf('\n', lineStart) === -1 ? text.length : text.indexOf('\n', lineStart));
    if (/^\s*RUN\b/i.test(line)) return true;
    if (lineStart === 0) return false;
    // The previous non-comment line must end with `\` for this one to continue it.
    let previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
    let previous = text.slice(previousStart, lineStart - 1);
    while (/^\s*#/.test(previous) && previousStart > 0) {
      previousStart = text.lastIndexOf('\n', previousStart - 2) + 1;
      previous = text.slice(previousStart, text.indexOf('\n', previousStart));
    }
    if (!/\\[ \t]*\r?$/.test(previous)) return false;
    lineStart = previousStart;
  }
}

/**
 * The echoed text as nginx reads it on its one line: from a `#` that starts a word outside quotes (ngx_conf_read_token
 * opens a comment only there) to the end is comment, blanked here, line breaks kept.
 */
function withoutTrailingComment(body: string): string {
  let quote: string | null = null;
  let wordStart = true;
  for (let at = 0; at < body.length; at++) {
    const char = body[at]!;
    if (quote !== null) {
      if (char === '\\') at++;
      else if (char === quote) quote = null;
      continue;
    }
    if (char === '#' && wordStart) return body.slice(0, at) + blanked(body.slice(at));
    if ((char === '"' || char === "'") && wordStart) quote = char;
    wordStart = /[\s;{}]/.test(char);
  }
  return body;
}
