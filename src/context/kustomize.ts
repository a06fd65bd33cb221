/**
 * kustomize's `configMapGenerator`. A `kustomization.yaml` makes a ConfigMap from files of the repository:
 *
 *     configMapGenerator:
 *       - name: nginx-conf
 *         files: [nginx.conf, site.conf=conf.d/site.conf]
 *
 * and `kustomize build` (`kubectl apply -k`) names it `nginx-conf-<hash>`, rewriting the references of the workloads
 * it builds with it (the `resources`, its bases' included) to that name; `namePrefix`/`nameSuffix` go on both too. So
 * within one build a volume's `configMap: {name: nginx-conf}` is the generated ConfigMap, as written, and each of its
 * keys is the file it was made from (paths relative to the kustomization's folder, never outside the repository).
 * A build is a kustomization with every base its `resources` name, the bases first: an overlay's generator with
 * `behavior: merge` or `replace` changes the base's ConfigMap for that build only.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { isInside, readRegularTextFile } from '../files.js';
import { directoriesUp, repositoryFiles } from './discovery.js';
import { OriginFactory } from './origin.js';
import { readYamlFile, type YamlDocument } from './yaml.js';

/** The file names kustomize reads as a folder's kustomization. */
const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MAX_KUSTOMIZATIONS = 500;
/** Bases nested deeper than this (or in a cycle) are not followed. */
const MAX_DEPTH = 10;

/** One key of a generated ConfigMap: a file of the repository, or a literal's value. */
export interface GeneratedKey {
  readonly key: string;
  /** The file the key's content is, absolute. */
  readonly file?: string;
  /** A `literals` entry's value: text with no lines of its own in the repository. */
  readonly literal?: string;
  /** The kustomization's line naming it. */
  readonly line: number;
}

/** A ConfigMap a kustomization generates, as one build has it. */
export interface GeneratedConfigMap {
  readonly name: string;
  readonly namespace: string;
  /** The kustomization whose generator made (or last changed) it. */
  readonly kustomization: string;
  /** Null when what the generator puts in is not known here (an `envs` file, a file that is not there). */
  readonly keys: readonly GeneratedKey[] | null;
}

/** An `images` entry: the image `name` (no tag) becomes `newName`, its tag `newTag`, or `@digest`. */
export interface ImageOverride {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
  /** The kustomization and the line of the entry. */
  readonly file: string;
  readonly line: number;
}

/** What `kustomize build` of one folder puts together: its manifests (bases' included) and its generated ConfigMaps. */
export interface KustomizeBuild {
  readonly kustomization: string;
  /** The `images` entries of the build, its bases' first: each applies to the image as the ones before left it. */
  readonly images: readonly ImageOverride[];
  /** Each manifest of the build, with the namespace the build gives its objects (null: their own). */
  readonly resources: ReadonlyMap<string, string | null>;
  readonly configMaps: readonly GeneratedConfigMap[];
  /** How many kustomizations the build reads: bases before the overlays built on them. */
  readonly depth: number;
}

/** The kustomization file of a folder, if it has one. */
function kustomizationIn(folder: string): string | null {
  for (const name of KUSTOMIZATION_NAMES) {
    const file = path.join(folder, name);
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // Not this name.
    }
  }
  return null;
}

/**
 * Whether `file` lies in a folder (its own or one above, up to `repoRoot`) holding a kustomization with a
 * `configMapGenerator`: one that may make a ConfigMap key of it.
 */
export function inKustomization(file: string, repoRoot: string): boolean {
  return directoriesUp(path.dirname(path.resolve(file)), repoRoot).some((folder) => {
    const kustomization = kustomizationIn(folder);
    try {
      return kustomization !== null && readRegularTextFile(kustomization).includes('configMapGenerator');
    } catch {
      // Unreadable: it generates nothing we can read.
      return false;
    }
  });
}

function readKustomization(file: string, origins: OriginFactory): YamlDocument | null {
  try {
    return readYamlFile(file, origins)[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * The keys of one `configMapGenerator` entry, or null when they are not all known here: an `envs` file (its keys are
 * its variables), a file that is not there, a folder, or a path leading out of the repository.
 */
function generatorKeys(document: YamlDocument, generator: ReturnType<YamlDocument['at']>, repoRoot: string): GeneratedKey[] | null {
  if (document.at(generator, 'envs') !== null || document.at(generator, 'env') !== null) return null;
  const folder = path.dirname(document.file);
  const keys: GeneratedKey[] = [];
  for (const item of document.items(document.at(generator, 'files'))) {
    const entry = document.text(item);
    if (entry === null) return null;
    const equals = entry.indexOf('=');
    const source = equals >= 0 ? entry.slice(equals + 1) : entry;
    const key = equals >= 0 ? entry.slice(0, equals) : path.posix.basename(source);
    const file = path.resolve(folder, ...source.split('/'));
    if (key === '' || source === '' || !isInside(file, repoRoot)) return null;
    try {
      if (!statSync(file).isFile()) return null;
    } catch {
      return null;
    }
    keys.push({ key, file, line: document.origin(item).line ?? 0 });
  }
  for (const item of document.items(document.at(generator, 'literals'))) {
    const entry = document.text(item);
    const equals = entry?.indexOf('=') ?? -1;
    if (entry === null || equals <= 0) return null;
    keys.push({ key: entry.slice(0, equals), literal: entry.slice(equals + 1), line: document.origin(item).line ?? 0 });
  }
  return keys;
}

/** An image reference's name, tag and digest: `registry:5000/nginx:1.25@sha256:…`. */
function splitImage(image: string): { name: string; tag: string | null; digest: string | null } {
  const at = image.indexOf('@');
  let name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : null;
  const colon = name.lastIndexOf(':');
  let tag: string | null = null;
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  return { name, tag, digest };
}

/**
 * The image a build runs for a container's `image`, and the `images` entry that last changed it; null when none does.
 * As kustomize's images transformer: an entry matches the image's name, and sets its name, its tag or its digest.
 */
export function kustomizedImage(image: string, overrides: readonly ImageOverride[]): { image: string; override: ImageOverride } | null {
  let { name, tag, digest } = splitImage(image);
  let last: ImageOverride | null = null;
  for (const override of overrides) {
    if (override.name !== name) continue;
    last = override;
    name = override.newName ?? name;
    if (override.digest !== undefined) {
      digest = override.digest;
      tag = null;
    } else if (override.newTag !== undefined) {
      tag = override.newTag;
      digest = null;
    }
  }
  if (last === null) return null;
  return { image: `${name}${digest !== null ? `@${digest}` : tag !== null ? `:${tag}` : ''}`, override: last };
}

/** Whether a `resources` entry names something outside the repository (a URL, a remote base). */
function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i.test(entry);
}

/**
 * Every build the repository's kustomizations make, bases before overlays. A resource that is a URL, or a base that
 * cannot be read, is left out of the build.
 */
export function kustomizeBuilds(repoRoot: string): KustomizeBuild[] {
  const origins = new OriginFactory(repoRoot);
  const files = repositoryFiles(
    repoRoot,
    KUSTOMIZATION_NAMES.map((name) => `**/${name}`),
    MAX_KUSTOMIZATIONS,
  );
  const memo = new Map<string, KustomizeBuild | null>();
  const build = (file: string, depth: number, visiting: ReadonlySet<string>): KustomizeBuild | null => {
    if (memo.has(file)) return memo.get(file)!;
    if (depth > MAX_DEPTH || visiting.has(file)) return null;
    const document = readKustomization(file, origins);
    if (document === null) {
      memo.set(file, null);
      return null;
    }
    const root = document.root;
    const folder = path.dirname(file);
    const namespace = document.text(document.at(root, 'namespace'));
    const resources = new Map<string, string | null>();
    const configMaps = new Map<string, GeneratedConfigMap>();
    const images: ImageOverride[] = [];
    const keyOf = (map: { name: string; namespace: string }) => `${map.namespace}/${map.name}`;
    let kustomizations = 1;
    for (const item of [...document.items(document.at(root, 'resources')), ...document.items(document.at(root, 'bases'))]) {
      const entry = document.text(item);
      if (entry === null || isRemote(entry)) continue;
      const target = path.resolve(folder, ...entry.split('/'));
      if (!isInside(target, repoRoot)) continue;
      const base = kustomizationIn(target);
      if (base !== null) {
        const inner = build(base, depth + 1, new Set([...visiting, file]));
        if (inner === null) continue;
        kustomizations += inner.depth;
        images.push(...inner.images);
        // The build's `namespace` goes on every object of its bases too, the generated ConfigMaps included.
        for (const [manifest, own] of inner.resources) resources.set(manifest, namespace ?? own);
        for (const map of inner.configMaps) {
          const moved = namespace === null ? map : { ...map, namespace };
          configMaps.set(keyOf(moved), moved);
        }
      } else {
        resources.set(target, namespace);
      }
    }
    for (const item of document.items(document.at(root, 'images'))) {
      const name = document.text(document.at(item, 'name'));
      if (name === null) continue;
      const field = (key: string) => {
        const value = document.text(document.at(item, key));
        return value === null || value === '' ? {} : { [key]: value };
      };
      images.push({ name, ...field('newName'), ...field('newTag'), ...field('digest'), file, line: document.origin(item).line ?? 0 });
    }
    const generatorNamespace = (generator: ReturnType<YamlDocument['at']>) =>
      namespace ?? document.text(document.at(generator, 'namespace')) ?? 'default';
    for (const generator of document.items(document.at(root, 'configMapGenerator'))) {
      const name = document.text(document.at(generator, 'name'));
      if (name === null) continue;
      const made = { name, namespace: generatorNamespace(generator) };
      const keys = generatorKeys(document, generator, repoRoot);
      const behavior = document.text(document.at(generator, 'behavior')) ?? 'create';
      const existing = configMaps.get(keyOf(made));
      // `merge` keeps the base's keys that the overlay does not give again; `create` and `replace` are the keys given.
      // What a generator puts in that is not known here leaves the ConfigMap unknown for this build.
      const merged =
        keys === null || behavior !== 'merge' || !existing
          ? keys
          : existing.keys === null
            ? null
            : [...existing.keys.filter((old) => !keys.some((added) => added.key === old.key)), ...keys];
      configMaps.set(keyOf(made), { ...made, kustomization: file, keys: merged });
    }
    const result = { kustomization: file, images, resources, configMaps: [...configMaps.values()], depth: kustomizations };
    memo.set(file, result);
    return result;
  };
  return files.flatMap((file) => build(file, 0, new Set()) ?? []).sort((a, b) => a.depth - b.depth || a.kustomization.localeCompare(b.kustomization));
}
