/**
 * Helm charts. A manifest under a chart's `templates/` folder (beside its `Chart.yaml`) is a Go template that Helm
 * renders with the chart's `values.yaml`: `image: "{{ .Values.nginx.image.repository }}:{{ .Values.nginx.image.tag }}"`
 * is `nginx:1.25-alpine` in the cluster, and a ConfigMap's `nginx.conf: |` block holds `listen {{ .Values.port }};`.
 * Such a manifest is read rendered, each line where it was (`renderGoTemplate`), with the values Helm would use when
 * the action is a plain value: `.Values.…`, `.Release.Name`/`.Namespace`, `.Chart.Name`/`.Version`/`.AppVersion`,
 * through `default`, `quote`, `squote`, `printf`, `toString`, `int`, `lower`, `upper`, `trim`. Anything else (an
 * `include` of a named template, `toYaml`, a value the chart leaves unset) is a placeholder no check judges.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isInside, isRecord, readRegularTextFile } from '../files.js';
import { lazyRequire } from '../lazy-require.js';
import { directoriesUp } from './discovery.js';
import { renderGoTemplate, type RenderedTemplate } from '../load/templates.js';

const yaml = lazyRequire<typeof import('yaml')>('yaml');

/** The release name and namespace `helm template` renders with when none are given. */
const RELEASE = { Name: 'release-name', Namespace: 'default' } as const;

export interface HelmChart {
  /** The chart's folder, holding `Chart.yaml`. */
  readonly root: string;
  /** `Chart.yaml`'s `name`, `version` and `appVersion` (`.Chart.Name`, …). */
  readonly chart: Readonly<Record<string, string>>;
  /** `values.yaml` as read; null when the chart has none that can be read (every value unknown). */
  readonly values: unknown;
}

function readYamlValue(file: string): unknown {
  try {
    return yaml().parse(readRegularTextFile(file), { logLevel: 'error' }) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether `file` lies in a Helm chart's folder (a `Chart.yaml` in a folder above it), up to `repoRoot`. */
export function inHelmChart(file: string, repoRoot: string): boolean {
  return directoriesUp(path.dirname(path.resolve(file)), repoRoot).some((folder) => existsSync(path.join(folder, 'Chart.yaml')));
}

/** The chart a manifest is a template of: the nearest `templates` folder above it with a `Chart.yaml` beside it. */
export function helmChartOf(file: string): HelmChart | null {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.lastIndexOf('templates', parts.length - 2);
  if (at <= 0) return null;
  const root = parts.slice(0, at).join(path.sep);
  const chartFile = readYamlValue(path.join(root, 'Chart.yaml'));
  if (!isRecord(chartFile) || typeof chartFile['name'] !== 'string') return null;
  const chart: Record<string, string> = {};
  for (const [field, key] of [
    ['Name', 'name'],
    ['Version', 'version'],
    ['AppVersion', 'appVersion'],
  ] as const) {
    const value = chartFile[key];
    if (typeof value === 'string' || typeof value === 'number') chart[field] = String(value);
  }
  const values = readYamlValue(path.join(root, 'values.yaml'));
  return { root, chart, values: isRecord(values) ? values : null };
}

/** A value the chart does not set: Helm renders it empty, `default` replaces it. */
const MISSING = Symbol('missing');
/** What an operand or a command gives: text, a value the chart leaves unset, or null when it is not known here. */
type Value = string | typeof MISSING | null;

/** The text of a scalar value as Go prints it; null for a map or list (only `toYaml` could print it). */
function scalarText(value: unknown): Value {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A field of the chart (`.Values.nginx.port`, `$.Release.Name`), a string or a number; null for anything else. */
function operand(word: string, chart: HelmChart): Value {
  if (/^"(?:[^"\\]|\\.)*"$/.test(word)) return JSON.parse(word) as string;
  if (/^`[^`]*`$/.test(word)) return word.slice(1, -1);
  if (/^-?\d+(?:\.\d+)?$|^(?:true|false)$/.test(word)) return word;
  const field = /^\$?\.(Values|Release|Chart)((?:\.[A-Za-z_][\w-]*)*)$/.exec(word);
  if (!field) return null;
  const keys = field[2]!.split('.').slice(1);
  if (field[1] === 'Release') return keys.length === 1 ? (RELEASE[keys[0] as keyof typeof RELEASE] ?? null) : null;
  if (field[1] === 'Chart') return keys.length === 1 ? (chart.chart[keys[0]!] ?? MISSING) : null;
  if (chart.values === null) return null;
  let value: unknown = chart.values;
  for (const key of keys) {
    if (!isRecord(value) || !(key in value)) return MISSING;
    value = value[key];
  }
  return scalarText(value);
}

/** One command of a pipeline applied to its operands, the piped value last (as Go passes it). */
function apply(name: string, operands: readonly Value[]): Value {
  if (operands.some((value) => value === null)) return null;
  const [first, second] = operands as (string | typeof MISSING)[];
  switch (name) {
    case 'default':
      // `default FALLBACK VALUE`: Helm's default replaces an unset or empty value.
      return operands.length === 2 ? (second === MISSING || second === '' ? first! : second!) : null;
    case 'printf': {
      if (typeof first !== 'string' || operands.slice(1).some((value) => value === MISSING)) return null;
      const rest = operands.slice(1) as string[];
      let used = 0;
      const text = first.replace(/%[sdv]/g, () => rest[used++] ?? '%!(MISSING)');
      return used === rest.length ? text : null;
    }
  }
  if (operands.length !== 1 || first === MISSING) return null;
  switch (name) {
    case 'quote':
      return JSON.stringify(first);
    case 'squote':
      return `'${first}'`;
    case 'toString':
    case 'int':
    case 'int64':
      return first!;
    case 'lower':
      return first!.toLowerCase();
    case 'upper':
      return first!.toUpperCase();
    case 'trim':
      return first!.trim();
    default:
      return null;
  }
}

/** The text a Helm value action renders to, when the chart says; null when it is not a plain value known here. */
export function helmValue(action: string, chart: HelmChart): string | null {
  // A parenthesized call, a variable or a comparison needs Go's evaluator: not known here.
  if (/[()]|\$(?!\.)/.test(action.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) return null;
  let value: Value | undefined;
  for (const command of action.split(/\|(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const words = command.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+/g) ?? [];
    if (words.length === 0) return null;
    const [name, ...args] = words as [string, ...string[]];
    const operands = args.map((word) => operand(word, chart));
    value = value === undefined && args.length === 0 ? operand(name, chart) : apply(name, value === undefined ? operands : [...operands, value]);
    if (value === null) return null;
  }
  return typeof value === 'string' ? value : null;
}

/**
 * A file of the chart a template writes whole: `{{ .Files.Get "files/nginx.conf" | indent 4 }}`, or rendered first,
 * `{{- tpl (.Files.Get "files/nginx.conf.tpl") . | nindent 4 }}`, alone on its line (nextcloud's chart), indented
 * and trimmed (`trim`, `trimSuffix "\n"`) or not. The line renders nothing here; the file is read where it is.
 */
export interface ChartFileWritten {
  /** The 1-based line of the template holding the action. */
  readonly line: number;
  /** The chart's file, absolute. */
  readonly file: string;
  /** Rendered with the chart's values before it is written (`tpl`). */
  readonly rendered: boolean;
}

const FILES_GET =
  /^[ \t]*\{\{-?\s*(?:(tpl)\s+\(\s*\.Files\.Get\s+"([^"]+)"\s*\)\s+(?:\$\.?|\.)|\(?\s*\.Files\.Get\s+"([^"]+)"\s*\)?)(?:\s*\|\s*(?:n?indent\s+\d+|trim|trimSuffix\s+"(?:[^"\\]|\\.)*"))*\s*-?\}\}[ \t]*$/gm;

/** A template of `chart` rendered as `helm template` would give it for the chart's own values, lines kept. */
export function renderHelmTemplate(text: string, chart: HelmChart): RenderedTemplate & { readonly filesWritten: readonly ChartFileWritten[] } {
  // `.Files` holds the chart's own files only: a path leading out of it names nothing.
  const filesWritten = [...text.matchAll(FILES_GET)].flatMap((match) => {
    const file = path.join(chart.root, ...(match[2] ?? match[3]!).split('/'));
    return isInside(file, chart.root) ? [{ line: text.slice(0, match.index).split('\n').length, file, rendered: match[1] === 'tpl' }] : [];
  });
  return { ...renderGoTemplate(text, (action) => helmValue(action, chart)), filesWritten };
}
