/**
 * nginx config that lives in a Kubernetes ConfigMap. A Deployment (StatefulSet, DaemonSet, ReplicaSet, Pod) running an
 * nginx image mounts the ConfigMap's keys as files — a whole folder (`mountPath: /etc/nginx/conf.d`), one key
 * (`subPath: nginx.conf`), or the keys `items` names — and nginx reads them there. When the ConfigMap is in the
 * repository, each such key is an nginx config file: linted as the container sees it, and reported at the line and
 * column of the manifest where its text is written.
 *
 * Positions stay exact by construction: the text linted for a key is the manifest itself with every character outside
 * the key's literal block scalar (`nginx.conf: |`) blanked to a space, line breaks kept. nginx's syntax does not care
 * about the indentation the block carries, so the config parses as the container's copy does, and every offset, line
 * and column is the manifest's own. Other scalar styles (quoted, folded, plain) rewrap or unescape the text, so their
 * positions cannot be mapped back: they are not linted, and the run says so.
 */
import path from 'node:path';
import type { Node } from 'yaml';
import { readRegularTextFile } from '../files.js';
import { repositoryFiles } from './discovery.js';
import { IMAGE_CONF_DIR, OPENRESTY_CONF_DIR, orderMappings, type PathMapping } from '../load/container-view.js';
import { blanked } from '../load/templates.js';
import { isNginxImage } from './app-servers.js';
import type { EmbeddedConfig, NginxService } from './nginx-service.js';
import { helmChartOf, renderHelmTemplate, type ChartFileWritten, type HelmChart } from './helm.js';
import { kustomizeBuilds, kustomizedImage, type GeneratedConfigMap, type ImageOverride } from './kustomize.js';
import { OriginFactory } from './origin.js';
import { readYamlFile, type YamlDocument } from './yaml.js';

/** Manifests read per repository at most, and the largest one read: a repository of generated YAML is not scanned. */
const MAX_MANIFESTS = 2000;
const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod']);

/** What the repository's manifests hold for nginx. */
export interface KubernetesNginx {
  /** Every mounted ConfigMap key written as a literal block, by its virtual path. */
  readonly configs: ReadonlyMap<string, EmbeddedConfig>;
  /** Keys mounted into an nginx container that could not be linted, and why: `k8s/nginx.yaml:7: …`. */
  readonly skipped: readonly { readonly manifest: string; readonly reason: string }[];
  /** For each manifest, the virtual paths of the configs it holds or mounts. */
  readonly byManifest: ReadonlyMap<string, readonly string[]>;
  /** The manifests holding Services or workloads: the service files of the configs (what nginx proxies to). */
  readonly serviceManifests: readonly string[];
}

interface ConfigMapKey {
  readonly key: string;
  readonly node: Node | null;
  readonly line: number;
  /** A Helm template's key whose content is a file of the chart (`{{ .Files.Get "files/nginx.conf" | indent 4 }}`). */
  readonly chartFile: ChartFileWritten | null;
  /** A kustomize-generated key whose content is a file of the repository (kustomize.ts). */
  readonly generatedFile?: string;
  /** A kustomize-generated key given as a literal: its value. */
  readonly literal?: string;
}

interface ConfigMap {
  readonly namespace: string;
  readonly name: string;
  /** The manifest holding it, or the kustomization generating it. */
  readonly file: string;
  /** The manifest's document; null for a ConfigMap a kustomization generates. */
  readonly document: YamlDocument | null;
  readonly keys: readonly ConfigMapKey[];
}

/** A generated ConfigMap as the manifests' ConfigMaps are read; null when its keys are not known here. */
function generatedConfigMap(generated: GeneratedConfigMap): ConfigMap | null {
  if (generated.keys === null) return null;
  return {
    namespace: generated.namespace,
    name: generated.name,
    file: generated.kustomization,
    document: null,
    keys: generated.keys.map(({ key, file, literal, line }) => ({
      key,
      node: null,
      line,
      chartFile: null,
      ...(file === undefined ? {} : { generatedFile: file }),
      ...(literal === undefined ? {} : { literal }),
    })),
  };
}

/** A file of the repository that a kustomization makes a ConfigMap key of: linted as it is, at its own lines. */
function generatedFileConfig(file: string, service: NginxService): EmbeddedConfig | null {
  try {
    return { path: file, manifest: file, text: readRegularTextFile(file), service };
  } catch {
    return null;
  }
}

/** The manifest with everything outside [start, end) blanked to spaces, line breaks kept. */
function blankOutside(source: string, start: number, end: number): string {
  return blanked(source.slice(0, start)) + source.slice(start, end) + blanked(source.slice(end));
}

/** The block's lines without the block's indentation: what the container's file holds (trailing newlines aside). */
function dedent(source: string, start: number, end: number, indent: number): string {
  return source
    .slice(start, end)
    .split('\n')
    .map((line) => line.replace(/\r$/, '').slice(indent))
    .join('\n');
}

function readManifests(repoRoot: string, origins: OriginFactory): YamlDocument[] {
  // A Helm chart renders every file of its templates/ folder but the `_` partials, `.tpl` files too (helm.ts).
  const files = repositoryFiles(repoRoot, ['**/*.yaml', '**/*.yml', '**/templates/**/[!_]*.tpl'], MAX_MANIFESTS).filter(
    (file) => !file.endsWith('.tpl') || helmChartOf(file) !== null,
  );
  return files.flatMap((file) => {
    try {
      // Cheap filter: only files that can hold a ConfigMap or a pod template are parsed.
      const text = readRegularTextFile(file);
      if (!/\bkind:\s*["']?(ConfigMap|Service|Deployment|StatefulSet|DaemonSet|ReplicaSet|Pod|\w*List)\b/.test(text)) return [];
      return readYamlFile(file, origins);
    } catch {
      // A Helm template, or any other file that is not plain YAML or cannot be read, holds nothing we can use.
      return [];
    }
  });
}

/** The documents of a manifest, `List` items unfolded. */
function manifestsOf(document: YamlDocument, node: Node | null = document.root): Node[] {
  const kind = document.text(document.at(node, 'kind'));
  if (kind?.endsWith('List')) return document.items(document.at(node, 'items')).flatMap((item) => manifestsOf(document, item));
  return node === null ? [] : [node];
}

function namespaceOf(document: YamlDocument, manifest: Node): string {
  return document.text(document.at(document.at(manifest, 'metadata'), 'namespace')) ?? 'default';
}

/**
 * Whether nginx reads a file mounted at this container path as configuration without being told to by an include: it is
 * in nginx's conf folder (`/etc/nginx`, OpenResty's `/usr/local/openresty/nginx/conf`, any `…/nginx/conf` such as
 * Bitnami's), or the container's command names it with `-c`. Other keys mounted into the container (an entrypoint
 * script at `/docker-entrypoint.sh`, a page under `/usr/share/nginx/html`, ModSecurity rules under
 * `/etc/modsecurity.d`) are no nginx config: they are read only where a config includes them.
 */
function readAsConfig(containerPath: string, commandLine: readonly string[]): boolean {
  const inside = (folder: string) => containerPath.startsWith(`${folder}/`);
  if (inside(IMAGE_CONF_DIR) || inside(OPENRESTY_CONF_DIR) || /\/nginx\/conf\//.test(containerPath)) return true;
  return commandLine.some((word, index) => (word === '-c' && commandLine[index + 1] === containerPath) || word === `-c${containerPath}`);
}

/**
 * The ConfigMap a workload's volume names. Where the repository holds several of that name and namespace (a
 * repository of separate samples, kustomize overlays), the one in the workload's own manifest, else the one whose
 * folder is nearest the workload's: each is applied with the manifests beside it.
 */
function nearestConfigMap(configMaps: readonly ConfigMap[], namespace: string, name: string, workloadFile: string): ConfigMap | undefined {
  const candidates = configMaps.filter((candidate) => candidate.namespace === namespace && candidate.name === name);
  if (candidates.length <= 1) return candidates[0];
  const shared = (file: string) => {
    const a = path.dirname(file).split(path.sep);
    const b = path.dirname(workloadFile).split(path.sep);
    let depth = 0;
    while (depth < a.length && depth < b.length && a[depth] === b[depth]) depth++;
    return file === workloadFile ? Infinity : depth;
  };
  return candidates.reduce((best, candidate) => (shared(candidate.file) > shared(best.file) ? candidate : best));
}

/** The files a configMap volume source puts in the volume: `items` (`key` → `path`), else every key by its name. */
function volumeFiles(document: YamlDocument, source: Node | null): { name: string; files: Map<string, string> } | null {
  const name = document.text(document.at(source, 'name'));
  if (name === null) return null;
  const items = document.items(document.at(source, 'items'));
  const files = new Map<string, string>();
  for (const item of items) {
    const key = document.text(document.at(item, 'key'));
    const file = document.text(document.at(item, 'path'));
    if (key !== null && file !== null) files.set(path.posix.normalize(file), key);
  }
  return { name, files: items.length > 0 ? files : new Map() };
}

/**
 * The config of a ConfigMap key a Helm template fills with a file of the chart: that file, as nginx gets it (rendered
 * with the chart's values when the template passes it through `tpl`), reported at its own lines. Null when it cannot
 * be read.
 */
function chartFileConfig(written: ChartFileWritten, chart: HelmChart, service: NginxService): EmbeddedConfig | null {
  let text: string;
  try {
    text = readRegularTextFile(written.file);
  } catch {
    return null;
  }
  const rendered = written.rendered ? renderHelmTemplate(text, chart) : null;
  return {
    path: written.file,
    manifest: written.file,
    text: rendered?.text ?? text,
    ...(rendered && rendered.placeholders.length > 0 ? { placeholders: rendered.placeholders } : {}),
    ...(rendered && rendered.writtenSpans.length > 0 ? { writtenSpans: rendered.writtenSpans } : {}),
    service,
  };
}

/**
 * Reads every manifest under `repoRoot` (one level of `List`s unfolded) and returns the ConfigMap keys that nginx
 * containers mount, as configs to lint.
 */
export function kubernetesNginx(repoRoot: string): KubernetesNginx {
  const documents = readManifests(repoRoot, new OriginFactory(repoRoot));
  const configMaps: ConfigMap[] = [];
  for (const document of documents) {
    for (const manifest of manifestsOf(document)) {
      if (document.text(document.at(manifest, 'kind')) !== 'ConfigMap') continue;
      const name = document.text(document.at(document.at(manifest, 'metadata'), 'name'));
      if (name === null) continue;
      const entries = document.entries(document.at(manifest, 'data'));
      const keys = entries.map(({ key, keyNode, value }, index) => {
        const line = document.origin(keyNode).line ?? 0;
        const nextLine = entries[index + 1] ? (document.origin(entries[index + 1]!.keyNode).line ?? Infinity) : Infinity;
        // The file written on the lines of the key's block, which renders to nothing else.
        const chartFile =
          (document.text(value) ?? '').trim() === ''
            ? (document.helm?.filesWritten.find((written) => written.line > line && written.line < nextLine) ?? null)
            : null;
        return { key, node: value, line, chartFile };
      });
      configMaps.push({ namespace: namespaceOf(document, manifest), name, file: document.file, document, keys });
    }
  }

  const configs = new Map<string, EmbeddedConfig>();
  const skipped: { manifest: string; reason: string }[] = [];
  const byManifest = new Map<string, Set<string>>();
  const note = (manifest: string, virtualPath: string) => {
    const list = byManifest.get(manifest) ?? new Set<string>();
    list.add(virtualPath);
    byManifest.set(manifest, list);
  };

  // A manifest a kustomization builds is read in each of its builds, with the ConfigMaps that build generates (by
  // namespace and name, as the build gives them) before the repository's; any other manifest once, with the latter.
  const builds = kustomizeBuilds(repoRoot);
  const passes: {
    document: YamlDocument;
    namespace: string | null;
    generated: ReadonlyMap<string, ConfigMap | null>;
    images: readonly ImageOverride[];
  }[] = [];
  for (const build of builds) {
    const generated = new Map(build.configMaps.map((map) => [`${map.namespace}/${map.name}`, generatedConfigMap(map)]));
    for (const document of documents) {
      if (build.resources.has(document.file))
        passes.push({ document, namespace: build.resources.get(document.file) ?? null, generated, images: build.images });
    }
  }
  const built = new Set(builds.flatMap((build) => [...build.resources.keys()]));
  for (const document of documents) if (!built.has(document.file)) passes.push({ document, namespace: null, generated: new Map(), images: [] });

  for (const { document, namespace: buildNamespace, generated, images } of passes) {
    for (const manifest of manifestsOf(document)) {
      const kind = document.text(document.at(manifest, 'kind'));
      if (kind === null || !WORKLOAD_KINDS.has(kind)) continue;
      const namespace = namespaceOf(document, manifest);
      const workloadName = document.text(document.at(document.at(manifest, 'metadata'), 'name')) ?? kind;
      const podSpec = document.at(kind === 'Pod' ? manifest : document.at(document.at(manifest, 'spec'), 'template'), 'spec');
      const volumes = new Map(
        document.items(document.at(podSpec, 'volumes')).flatMap((volume) => {
          const name = document.text(document.at(volume, 'name'));
          return name === null ? [] : [[name, volume] as const];
        }),
      );
      const origins = new OriginFactory(path.dirname(document.file));
      for (const container of document.items(document.at(podSpec, 'containers'))) {
        const imageNode = document.at(container, 'image');
        // A build's `images` entry that renames or retags it: the image the cluster runs, and the line that says so.
        const kustomized = images.length > 0 ? kustomizedImage(document.text(imageNode) ?? '', images) : null;
        const image = kustomized?.image ?? document.text(imageNode);
        // An image with nginx inside (an app's frontend image built on nginx's, `quay.io/cilium/hubble-ui`) runs the
        // config a ConfigMap puts into its /etc/nginx.
        const mountsNginxConf = document.items(document.at(container, 'volumeMounts')).some((mount) => {
          const mountPath = path.posix.normalize(document.text(document.at(mount, 'mountPath')) ?? '.');
          return mountPath === IMAGE_CONF_DIR || mountPath.startsWith(`${IMAGE_CONF_DIR}/`);
        });
        if (!isNginxImage(image) && !mountsNginxConf) continue;
        const mappings: PathMapping[] = [];
        const mounted: { virtualPath: string; containerPath: string; configMap: ConfigMap; key: ConfigMapKey }[] = [];
        /** Where a volume of another kind is mounted (an emptyDir a sidecar fills, a Secret, a claim): its files come at run time. */
        const runtimeVolumes: string[] = [];
        for (const mount of document.items(document.at(container, 'volumeMounts'))) {
          const volume = volumes.get(document.text(document.at(mount, 'name')) ?? '');
          const mountPath = document.text(document.at(mount, 'mountPath'));
          if (!volume || mountPath === null || !mountPath.startsWith('/')) continue;
          if (document.at(volume, 'configMap') === null && document.at(volume, 'projected') === null) {
            runtimeVolumes.push(path.posix.normalize(mountPath));
            continue;
          }
          const sources = [
            document.at(volume, 'configMap'),
            ...document.items(document.at(document.at(volume, 'projected'), 'sources')).map((source) => document.at(source, 'configMap')),
          ].flatMap((source) => (source === null ? [] : (volumeFiles(document, source) ?? [])));
          if (sources.length === 0) continue;
          const origin = origins.yaml(document.file, document.origin(mount).line ?? 0).label;
          const container_ = path.posix.normalize(mountPath);
          const subPath = path.posix.normalize(document.text(document.at(mount, 'subPath')) ?? '.');
          // Every file of the volume: its path in the volume → the virtual path of the key that fills it.
          const files = new Map<string, string>();
          let unknown = false;
          for (const source of sources) {
            const generatedKey = `${buildNamespace ?? namespace}/${source.name}`;
            const configMap = generated.has(generatedKey)
              ? (generated.get(generatedKey) ?? undefined)
              : nearestConfigMap(configMaps, namespace, source.name, document.file);
            if (!configMap) {
              unknown = true;
              continue;
            }
            const byPath = source.files.size > 0 ? source.files : new Map(configMap.keys.map(({ key }) => [key, key]));
            for (const [filePath, key] of byPath) {
              const entry = configMap.keys.find((candidate) => candidate.key === key);
              if (!entry) continue;
              // A key filled with a file of the chart is that file; any other has a path of its own in the manifest.
              const virtualPath = entry.chartFile?.file ?? entry.generatedFile ?? path.join(configMap.file, configMap.name, key);
              files.set(filePath, virtualPath);
              const relative = subPath === '.' ? filePath : path.posix.relative(subPath, filePath);
              if (relative.startsWith('..')) continue;
              mounted.push({ virtualPath, containerPath: path.posix.join(container_, relative), configMap, key: entry });
            }
          }
          const entries = new Map<string, string>();
          for (const [filePath, virtualPath] of files) {
            const relative = subPath === '.' ? filePath : path.posix.relative(subPath, filePath);
            if (relative === '' || !relative.startsWith('..')) entries.set(relative, virtualPath);
          }
          // A ConfigMap the repository does not hold (a generator makes it): what is mounted is unknown, not empty.
          const repo = unknown && entries.size === 0 ? path.join(repoRoot, '.nginx-lint-unknown-configmap', ...container_.split('/')) : document.file;
          mappings.push({ container: container_, repo, origin, ...(unknown && entries.size === 0 ? {} : { entries }) });
        }
        if (mounted.length === 0) continue;
        const environment: Record<string, string> = {};
        for (const entry of document.items(document.at(container, 'env'))) {
          const name = document.text(document.at(entry, 'name'));
          const value = document.text(document.at(entry, 'value'));
          if (name !== null && value !== null) environment[name] = value;
        }
        const commandLine = ['command', 'args'].flatMap((key) =>
          document.items(document.at(container, key)).flatMap((item) => document.text(item) ?? []),
        );
        const containerName = document.text(document.at(container, 'name')) ?? 'nginx';
        const podImages = document
          .items(document.at(podSpec, 'containers'))
          .flatMap((other) => (other === container ? [] : (document.text(document.at(other, 'image')) ?? [])));
        const serviceReading = (containerPath: string): NginxService => ({
          name: `${kind} ${workloadName} container ${containerName}`,
          composeFile: document.file,
          image,
          imageOrigin: kustomized
            ? origins.yaml(kustomized.override.file, kustomized.override.line).label
            : imageNode
              ? origins.yaml(document.file, document.origin(imageNode).line ?? 0).label
              : null,
          mappings: orderMappings(mappings),
          entryContainerPath: containerPath,
          environment,
          mountedFrom: null,
          dependsOn: [],
          healthchecked: new Set(),
          healthcheckUnknown: new Set(),
          ...(podImages.length > 0 ? { podImages } : {}),
          ...(isNginxImage(image) ? {} : { nginxInside: true }),
          ...(runtimeVolumes.length > 0 ? { namedVolumes: () => runtimeVolumes } : {}),
        });
        for (const { virtualPath, containerPath, configMap, key } of mounted) {
          note(document.file, virtualPath);
          note(configMap.file, virtualPath);
          if (configs.has(virtualPath)) continue;
          const includedOnly = readAsConfig(containerPath, commandLine) ? {} : { includedOnly: true };
          if (configMap.document === null) {
            // Generated by a kustomization: a file of the repository is linted as itself; a literal is read only.
            const config =
              key.generatedFile !== undefined
                ? generatedFileConfig(key.generatedFile, serviceReading(containerPath))
                : { path: virtualPath, manifest: configMap.file, text: key.literal ?? '', contextOnly: true, service: serviceReading(containerPath) };
            if (config) configs.set(virtualPath, { ...config, ...includedOnly });
            continue;
          }
          if (key.chartFile) {
            const config = chartFileConfig(key.chartFile, configMap.document.helm!.chart, serviceReading(containerPath));
            if (config) configs.set(virtualPath, { ...config, ...includedOnly });
            continue;
          }
          const block = configMap.document.literalBlock(key.node);
          const value = key.node === null ? null : configMap.document.text(key.node);
          const label = `${path.relative(repoRoot, configMap.document.file).split(path.sep).join('/')}:${key.line}`;
          // A block of blank lines (a Helm template's `{{- . | nindent 4 }}` rendered to nothing here) is empty either way.
          const exact =
            block !== null &&
            value !== null &&
            (dedent(configMap.document.source, block.start, block.end, block.indent).replace(/\n+$/, '') === value.replace(/\n+$/, '') ||
              (value.trim() === '' && configMap.document.source.slice(block.start, block.end).trim() === ''));
          if (!exact && !includedOnly.includedOnly) {
            skipped.push({
              manifest: configMap.document.file,
              reason: `${label}: ConfigMap ${configMap.name} key ${key.key} (mounted at ${containerPath}) is not linted: only a literal block scalar (\`${key.key}: |\`) maps back to the manifest line by line`,
            });
          }
          // A Helm template's values not known here, within the block: the config's offsets are the manifest's.
          const placeholders = exact ? configMap.document.placeholders.filter((span) => span.start >= block.start && span.end <= block.end) : [];
          const writtenSpans = exact
            ? configMap.document.writtenSpans.filter((span) => span.renderedStart >= block.start && span.renderedEnd <= block.end)
            : [];
          configs.set(virtualPath, {
            path: virtualPath,
            manifest: configMap.document.file,
            text: exact ? blankOutside(configMap.document.source, block.start, block.end) : (value ?? ''),
            ...(placeholders.length > 0 ? { placeholders } : {}),
            ...(writtenSpans.length > 0 ? { writtenSpans } : {}),
            ...(exact ? {} : { contextOnly: true }),
            ...includedOnly,
            service: serviceReading(containerPath),
          });
        }
      }
    }
  }
  const serviceManifests = new Set(
    documents
      .filter((document) =>
        manifestsOf(document).some((manifest) => {
          const kind = document.text(document.at(manifest, 'kind'));
          return kind === 'Service' || (kind !== null && WORKLOAD_KINDS.has(kind));
        }),
      )
      .map((document) => document.file),
  );
  return {
    configs,
    skipped,
    byManifest: new Map([...byManifest].map(([manifest, paths]) => [manifest, [...paths]])),
    serviceManifests: [...serviceManifests],
  };
}
