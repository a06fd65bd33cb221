/**
 * nginx release numbers: parsing, ordering, the version ranges of rule metadata, and which version a run assumes.
 *
 * Versions cross the API as strings (`"1.29.7"`), the form configs, `--nginx-version` and the directive table use.
 */
import { lazyRequire } from '../lazy-require.js';

/** Loaded only to ask the installed nginx its version (`--nginx-version host`): it costs ~8 ms of start-up. */
const childProcess = lazyRequire<typeof import('node:child_process')>('node:child_process');

/**
 * The version assumed when none is configured and no `nginx` is on PATH: the first release of the stable branch
 * that was current when the directive table was generated (1.30, April 2026). Stable patch releases never change
 * defaults, and 1.30 includes the 1.29.7 defaults (upstream keepalive on, `proxy_http_version 1.1`), so findings
 * then describe what a fresh install of today's nginx does. Rules see `explicit: false` and should say that the
 * version was assumed when a finding depends on it.
 */
export const DEFAULT_NGINX_VERSION = '1.30.0';

export type NginxVersionSource = 'configured' | 'image' | 'detected' | 'default';

export interface ResolvedNginxVersion {
  /** Always `major.minor.patch`. */
  readonly version: string;
  /**
   * `configured`: the linter config or `--nginx-version`; `image`: the tag of the nginx image that runs the config;
   * `detected`: `nginx -v` on this machine, only when asked for with `--nginx-version host`; `default`:
   * DEFAULT_NGINX_VERSION.
   */
  readonly source: NginxVersionSource;
  /** False when the version is only the default assumption, so version-specific claims may not hold. */
  readonly explicit: boolean;
  /** Where the version came from, for the report: `compose.yaml:5 image nginx:1.27-alpine`, `--nginx-version`. */
  readonly origin?: string;
}

/** The version an image tag stands for, and where the tag was written. */
export interface ImageVersion {
  readonly version: string;
  readonly origin: string;
}

/**
 * The last release of each line the directive table knows (nginx.org CHANGES), for image tags that name a line only
 * (`nginx:1.27-alpine` runs 1.27.5, the last 1.27 release, once the line is closed). A line not listed is taken at
 * its `.0` release, the least it can be.
 */
const LAST_RELEASE_OF_LINE: Readonly<Record<string, string>> = {
  '1.18': '1.18.0',
  '1.19': '1.19.10',
  '1.20': '1.20.2',
  '1.21': '1.21.6',
  '1.22': '1.22.1',
  '1.23': '1.23.4',
  '1.24': '1.24.0',
  '1.25': '1.25.5',
  '1.26': '1.26.3',
  '1.27': '1.27.5',
  '1.28': '1.28.0',
  '1.29': '1.29.7',
  '1.30': '1.30.0',
};

/** Tags that follow a branch rather than a release: the newest release line the table knows. */
const MOVING_TAGS = /^(|latest|mainline|stable|alpine|alpine-slim|bookworm|trixie|perl|otel|alpine-perl|alpine-otel|unprivileged)$/;

/**
 * The nginx version an image runs, from its tag: `nginx:1.27.3` is 1.27.3, `nginx:1.27-alpine` the last release of
 * 1.27, `nginx:latest`/`mainline`/`stable` the newest line known (said so in `note`). Null for a tag that names no
 * version (a custom tag such as `prod`) — then nothing is assumed from the image. A digest alone reads as `latest`.
 */
export function versionFromImageTag(image: string): { version: string; note: string | null } | null {
  const withoutDigest = image.split('@')[0]!;
  const lastSegment = withoutDigest.split('/').pop()!;
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop()!.toLowerCase() : '';
  const exact = /^(\d+\.\d+\.\d+)(?:[-.]|$)/.exec(tag);
  if (exact) return { version: exact[1]!, note: null };
  const line = /^(\d+\.\d+)(?:-|$)/.exec(tag);
  if (line) return { version: LAST_RELEASE_OF_LINE[line[1]!] ?? `${line[1]}.0`, note: null };
  if (MOVING_TAGS.test(tag.replace(/^(mainline|stable)-/, ''))) {
    return { version: DEFAULT_NGINX_VERSION, note: `"${tag || 'latest'}" moves: the newest release known is assumed` };
  }
  return null;
}

/**
 * The nginx package of each distribution release, by the names its images are tagged with (`debian:bookworm`,
 * `debian:12-slim`, `python:3.12-slim-bookworm`, `ubuntu:24.04`, `node:20-alpine3.19`, `phusion/baseimage:focal-1.0.0`,
 * `ghcr.io/linuxserver/baseimage-alpine:3.22`). Package versions of the release as shipped (security
 * updates keep the upstream version): Debian 12's measured on this project's machines (`dpkg -s nginx`:
 * 1.22.1-9+deb12u11), the others from the distributions' package lists.
 */
const DISTRIBUTION_NGINX: readonly { readonly names: RegExp; readonly release: string; readonly version: string }[] = [
  { names: /(^|[-:])(stretch|9)([-.]|$)/, release: 'Debian 9', version: '1.10.3' },
  { names: /(^|[-:])(buster|10)([-.]|$)/, release: 'Debian 10', version: '1.14.2' },
  { names: /(^|[-:])(bullseye|11)([-.]|$)/, release: 'Debian 11', version: '1.18.0' },
  { names: /(^|[-:])(bookworm|12)([-.]|$)/, release: 'Debian 12', version: '1.22.1' },
  { names: /(^|[-:])(trixie|13)([-.]|$)/, release: 'Debian 13', version: '1.26.3' },
  { names: /(^|[-:])(xenial|16\.04)([-.]|$)/, release: 'Ubuntu 16.04', version: '1.10.3' },
  { names: /(^|[-:])(bionic|18\.04)([-.]|$)/, release: 'Ubuntu 18.04', version: '1.14.0' },
  { names: /(^|[-:])(focal|20\.04)([-.]|$)/, release: 'Ubuntu 20.04', version: '1.18.0' },
  { names: /(^|[-:])(jammy|22\.04)([-.]|$)/, release: 'Ubuntu 22.04', version: '1.18.0' },
  { names: /(^|[-:])(noble|24\.04)([-.]|$)/, release: 'Ubuntu 24.04', version: '1.24.0' },
  { names: /(^|[-:])alpine:?3\.(18|19)([-.]|$)/, release: 'Alpine 3.18/3.19', version: '1.24.0' },
  // Alpine's nginx is nginx.org's stable line, and a stable branch follows that line's releases (3.20 shipped 1.26.0
  // and moved to 1.26.3): a build installs the line's last release known here. Seen in linuxserver's
  // package_versions.txt of its 3.20, 3.21 and 3.22 images (1.26.3-r0, 1.26.3-r0, 1.28.0-r3); 3.23 (December 2025)
  // packages the stable line of its time, 1.28.
  { names: /(^|[-:])alpine:?3\.(20|21)([-.]|$)/, release: 'Alpine 3.20/3.21', version: '1.26.3' },
  { names: /(^|[-:])alpine:?3\.(22|23)([-.]|$)/, release: 'Alpine 3.22/3.23', version: '1.28.0' },
];

/** phusion/baseimage's numbered releases and the Ubuntu release each is built on (0.11: Ubuntu 18.04, 0.10: 16.04). */
const PHUSION_BASEIMAGE_RELEASES: Readonly<Record<string, string>> = { '0.10': 'xenial', '0.11': 'bionic' };

/**
 * The nginx version a distribution's package installs on `image` (`FROM debian:bookworm` + `apt-get install nginx`):
 * the package of the release the tag names. Null when the tag names no release known here (`debian:stable`,
 * `python:3.12-slim`, which follow whatever release is current). Numeric releases count only in the distribution's
 * own image (`debian:12`), not in another's version (`python:3.12`).
 */
export function versionFromDistributionImage(image: string): { version: string; release: string } | null {
  const reference = image.split('@')[0]!.toLowerCase();
  const name = reference.split('/').pop()!.split(':')[0]!;
  const tag = reference.split('/').pop()!.split(':')[1] ?? '';
  // phusion/baseimage's own numbered releases name no Ubuntu release in the tag (its changelog gives it).
  const phusionRelease = /(^|\/)phusion\/baseimage:/.test(reference) ? PHUSION_BASEIMAGE_RELEASES[/^\d+\.\d+/.exec(tag)?.[0] ?? ''] : undefined;
  if (phusionRelease) return versionFromDistributionImage(`ubuntu:${phusionRelease}`);
  const codenames = name === 'debian' || name === 'ubuntu' ? tag : tag.replace(/(^|-)\d+(\.\d+)*(?=-|$)/g, '$1');
  // linuxserver's Alpine base image is tagged with the Alpine release alone (`baseimage-alpine:3.22`).
  const alpineRelease = name === 'alpine' || /(^|\/)linuxserver\/baseimage-alpine:/.test(reference);
  const subject = alpineRelease ? `alpine:${tag}` : codenames;
  const known = DISTRIBUTION_NGINX.find((entry) => entry.names.test(subject));
  return known ? { version: known.version, release: known.release } : null;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

type VersionParts = readonly [number, number, number];

function partsOf(version: string): VersionParts | null {
  const match = VERSION.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

/**
 * Versions already read: a run compares the same few (the assumed version, the table's `since`s) hundreds of
 * thousands of times on a large configuration. Bounded, since versions may come from the configuration being read.
 */
const partsByVersion = new Map<string, VersionParts>();
const MAX_CACHED_VERSIONS = 1024;

function requireParts(version: string): VersionParts {
  let parts = partsByVersion.get(version) ?? null;
  if (parts) return parts;
  parts = partsOf(version);
  if (!parts) throw new RangeError(`invalid nginx version "${version}": expected major.minor.patch, like 1.29.7`);
  if (partsByVersion.size < MAX_CACHED_VERSIONS) partsByVersion.set(version, parts);
  return parts;
}

/** Orders two `major.minor.patch` versions: negative when `left` is older. Throws a RangeError for anything else. */
export function compareNginxVersions(left: string, right: string): number {
  const a = requireParts(left);
  const b = requireParts(right);
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

type Operator = '>=' | '>' | '<=' | '<' | '=';

interface Comparator {
  readonly operator: Operator;
  readonly version: string;
}

const COMPARATOR = /^(>=|<=|>|<|=)?(\d+\.\d+\.\d+)$/;

/**
 * Parses a range of rule metadata: comparators separated by spaces, all of which must hold, such as `>=1.29.7`,
 * `<1.29.7` or `>=1.9.13 <1.29.7`. A bare version means `=`. Throws a RangeError naming the bad part, so a rule
 * with a malformed range fails when it is loaded rather than matching nothing.
 */
export function parseVersionRange(range: string): readonly Comparator[] {
  const parts = range.trim().split(/\s+/);
  return parts.map((part) => {
    const match = COMPARATOR.exec(part);
    if (!match) throw new RangeError(`invalid nginx version range "${range}": cannot read "${part}"`);
    return { operator: (match[1] ?? '=') as Operator, version: match[2]! };
  });
}

function holds(comparison: number, operator: Operator): boolean {
  switch (operator) {
    case '>=':
      return comparison >= 0;
    case '>':
      return comparison > 0;
    case '<=':
      return comparison <= 0;
    case '<':
      return comparison < 0;
    case '=':
      return comparison === 0;
  }
}

/** Ranges already read; they come from rule code and metadata, so there are few. */
const comparatorsByRange = new Map<string, readonly Comparator[]>();

/** Whether `version` lies in `range` (see parseVersionRange): `satisfies('1.30.0', '>=1.29.7 <2.0.0')` is true. */
export function satisfies(version: string, range: string): boolean {
  let comparators = comparatorsByRange.get(range);
  if (!comparators) {
    comparators = parseVersionRange(range);
    if (comparatorsByRange.size < MAX_CACHED_VERSIONS) comparatorsByRange.set(range, comparators);
  }
  return comparators.every((comparator) => holds(compareNginxVersions(version, comparator.version), comparator.operator));
}

/**
 * The nginx core version in the output of `nginx -v` (`nginx version: nginx/1.22.1 (Ubuntu)`). OpenResty counts
 * too: its `1.25.3.1` is nginx 1.25.3 plus a bundle number. Forks that number their own releases (freenginx, Angie,
 * Tengine) give null, since their numbers say nothing about nginx's defaults.
 */
export function versionFromNginxV(output: string): string | null {
  const match = /version: (?:nginx|openresty)\/(\d+\.\d+\.\d+)/.exec(output);
  return match ? match[1]! : null;
}

let installedVersion: { readonly version: string | null } | undefined;

/**
 * The version of the `nginx` on PATH, or null when there is none. Runs `nginx -v` once per process: callers ask only
 * when no version was configured, so a configured run never spawns anything.
 */
export function detectInstalledNginxVersion(): string | null {
  if (!installedVersion) {
    const result = childProcess().spawnSync('nginx', ['-v'], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'pipe'] });
    // nginx prints its version on stderr; a missing binary leaves both streams empty and sets result.error.
    installedVersion = { version: result.error ? null : versionFromNginxV(`${result.stderr}${result.stdout}`) };
  }
  return installedVersion.version;
}

/** `--nginx-version host`: take the version of the nginx installed on this machine. */
export const HOST_VERSION = 'host';

/**
 * Picks the version a run assumes: the configured one (`host` asks the installed nginx, only then), else the one the
 * nginx image that runs this config is tagged with, else DEFAULT_NGINX_VERSION — never silently this machine's nginx,
 * which is rarely the one that runs in production. Throws a RangeError when the configured version is not
 * `major.minor.patch`.
 */
export function resolveNginxVersion(
  configured: string | undefined,
  image: ImageVersion | null = null,
  detect: () => string | null = detectInstalledNginxVersion,
): ResolvedNginxVersion {
  if (configured === HOST_VERSION) {
    const detected = detect();
    if (detected !== null) return { version: detected, source: 'detected', explicit: true, origin: 'nginx -v on this machine' };
    return { version: DEFAULT_NGINX_VERSION, source: 'default', explicit: false, origin: 'no nginx on this machine: the default' };
  }
  if (configured !== undefined) {
    requireParts(configured);
    return { version: configured, source: 'configured', explicit: true, origin: 'configured' };
  }
  if (image !== null) return { version: image.version, source: 'image', explicit: true, origin: image.origin };
  return { version: DEFAULT_NGINX_VERSION, source: 'default', explicit: false, origin: 'the default; set nginxVersion or --nginx-version' };
}
