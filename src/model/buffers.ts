/**
 * The response buffers of nginx's proxy, FastCGI, uwsgi and SCGI modules: the settings in effect at a level, the
 * checks `ngx_http_proxy_merge_loc_conf` (and its fastcgi/uwsgi/scgi twins) apply to them, and the smallest change
 * that makes a combination pass those checks.
 *
 * Two rules share this: proxy-buffers-invalid reports combinations nginx rejects, and proxy-buffer-size-too-small
 * raises the header buffer, which must not produce such a combination (raising `proxy_buffer_size` to 16k alone
 * does: its default `proxy_busy_buffers_size` becomes 32k, more than the default `proxy_buffers 8 4k` allow).
 *
 * nginx merges these settings at every `server`, `location`, `if` and `limit_except` level and checks each merged
 * result, whether or not the level proxies anything; an `http` block without servers is never checked.
 */
import type { BlockContext } from '../nginx/directives.js';
import { insertStatementAfter, replaceArgs } from '../syntax/edits.js';
import type { Model, PassModule } from './index.js';
import type { TextChange } from '../syntax/text-changes.js';
import { type ConfigNode, liesWithin, statementText, walkTree } from '../load/tree.js';
import { formatNginxSize, parseNginxSize } from '../nginx/units.js';

/** The modules whose responses go through `*_buffers`; gRPC has only `grpc_buffer_size`. */
export type BufferedModule = Exclude<PassModule, 'grpc'>;
export const BUFFERED_MODULES: readonly BufferedModule[] = ['proxy', 'fastcgi', 'uwsgi', 'scgi'];

/**
 * nginx's default for the header buffer and for each of `*_buffers` is one memory page (`ngx_pagesize`): 4 KiB on
 * x86_64 and on most arm64 distributions. With 16 KiB or 64 KiB pages every default is four or sixteen times larger,
 * and a verdict that rests on a default may not hold there; settings written out do not depend on it.
 */
export const MEMORY_PAGE = 4096;
/** `ngx_conf_merge_bufs_value(..., 8, ngx_pagesize)`. */
const DEFAULT_BUFFER_COUNT = 8;
/** `max_temp_file_size = 1024 * 1024 * 1024` when unset. */
const DEFAULT_MAX_TEMP_FILE_SIZE = 1024 * 1024 * 1024;

export interface BufferCount {
  readonly count: number;
  /** Bytes per buffer. */
  readonly size: number;
}

/** What nginx works with after merging, in bytes. */
export interface BufferValues {
  /** `proxy_buffer_size`: holds the status line and every response header. */
  readonly bufferSize: number;
  readonly buffers: BufferCount;
  /** Null when no level sets it: nginx then uses twice `largestBuffer`. */
  readonly busyBuffersSize: number | null;
  /** Null when no level sets it: nginx then uses twice `largestBuffer`. */
  readonly tempFileWriteSize: number | null;
  /** 0 turns temporary files off. */
  readonly maxTempFileSize: number;
}

export type BufferSetting = keyof BufferValues;

/** In nginx's merge order, which is also the order new statements are written in. */
const SETTINGS: readonly BufferSetting[] = ['bufferSize', 'buffers', 'busyBuffersSize', 'tempFileWriteSize', 'maxTempFileSize'];

const DIRECTIVE_SUFFIXES: Readonly<Record<BufferSetting, string>> = {
  bufferSize: 'buffer_size',
  buffers: 'buffers',
  busyBuffersSize: 'busy_buffers_size',
  tempFileWriteSize: 'temp_file_write_size',
  maxTempFileSize: 'max_temp_file_size',
};

/**
 * The names already spelt, by module and setting: the buffer rules look each up for every level of a large
 * configuration, and one string per name also spares the lookups hashing a new string each time.
 */
const directiveNames = new Map<PassModule, Map<BufferSetting, string>>();

/** `proxy_busy_buffers_size` for (`proxy`, `busyBuffersSize`). */
export function directiveName(module: PassModule, setting: BufferSetting): string {
  let names = directiveNames.get(module);
  if (!names) {
    names = new Map(SETTINGS.map((each) => [each, `${module}_${DIRECTIVE_SUFFIXES[each]}`]));
    directiveNames.set(module, names);
  }
  return names.get(setting)!;
}

export interface BufferSettings {
  readonly module: BufferedModule;
  readonly values: BufferValues;
  /** The statement that supplies each value; null where nginx's default, or the value derived from others, applies. */
  readonly nodes: Readonly<Record<BufferSetting, ConfigNode | null>>;
}

/**
 * nginx's `size` in the merge function, "the maximum of the value of proxy_buffer_size and one of the
 * proxy_buffers": the lower bound of the busy, temp-file-write and max-temp-file sizes, and the unit of their
 * defaults.
 */
export function largestBuffer(values: BufferValues): number {
  return Math.max(values.bufferSize, values.buffers.size);
}

export function effectiveBusyBuffersSize(values: BufferValues): number {
  return values.busyBuffersSize ?? 2 * largestBuffer(values);
}

export function effectiveTempFileWriteSize(values: BufferValues): number {
  return values.tempFileWriteSize ?? 2 * largestBuffer(values);
}

/** What `proxy_busy_buffers_size` may be at most: "the size of all proxy_buffers minus one buffer". */
export function busyBuffersLimit(buffers: BufferCount): number {
  return (buffers.count - 1) * buffers.size;
}

/** The checks of the merge function, in the order nginx makes them; it stops at the first that fails. */
export type BufferCheck = 'buffer-count' | 'busy-below-buffer' | 'busy-above-limit' | 'temp-write-below-buffer' | 'max-temp-below-buffer';

export function failedCheck(values: BufferValues): BufferCheck | null {
  const size = largestBuffer(values);
  if (values.buffers.count < 2) return 'buffer-count';
  const busy = effectiveBusyBuffersSize(values);
  if (busy < size) return 'busy-below-buffer';
  if (busy > busyBuffersLimit(values.buffers)) return 'busy-above-limit';
  if (effectiveTempFileWriteSize(values) < size) return 'temp-write-below-buffer';
  if (values.maxTempFileSize !== 0 && values.maxTempFileSize < size) return 'max-temp-below-buffer';
  return null;
}

/** nginx's `[emerg]` text for a failed check, word for word. */
export function nginxMessage(module: BufferedModule, check: BufferCheck): string {
  const name = (setting: BufferSetting) => `"${directiveName(module, setting)}"`;
  const atLeastLargest = `the maximum of the value of ${name('bufferSize')} and one of the ${name('buffers')}`;
  switch (check) {
    case 'buffer-count':
      return `there must be at least 2 ${name('buffers')}`;
    case 'busy-below-buffer':
      return `${name('busyBuffersSize')} must be equal to or greater than ${atLeastLargest}`;
    case 'busy-above-limit':
      return `${name('busyBuffersSize')} must be less than the size of all ${name('buffers')} minus one buffer`;
    case 'temp-write-below-buffer':
      return `${name('tempFileWriteSize')} must be equal to or greater than ${atLeastLargest}`;
    case 'max-temp-below-buffer':
      return `${name('maxTempFileSize')} must be equal to zero to disable temporary files usage or must be equal to or greater than ${atLeastLargest}`;
  }
}

/**
 * The smallest change that makes `values` pass every check, keeping what the configuration asks for: the header
 * buffer is never touched (it is sized for the application's headers), nor anything that already passes.
 *
 * - `busy` too small, or a temp-file size below one buffer: raised to `largestBuffer`, the least nginx accepts.
 * - Fewer than 2 buffers: the fewest that hold the busy size plus the buffer nginx keeps for reading.
 * - `busy` too large for the buffers: a `busy` that was derived is set to `largestBuffer` (the lab's
 *   `proxy_buffer_size 16k` + `proxy_busy_buffers_size 16k`); one that was written is lowered to the limit. When not
 *   even `largestBuffer` fits, the buffers grow to the header buffer's size, keeping their count (the lab's
 *   `proxy_buffer_size 32k` + `proxy_buffers 8 32k`).
 */
export function repairBuffers(values: BufferValues): Partial<BufferValues> {
  const size = largestBuffer(values);
  const changes: { -readonly [Setting in BufferSetting]?: BufferValues[Setting] } = {};
  let buffers = values.buffers;
  let busy = values.busyBuffersSize;

  if (busy !== null && busy < size) busy = changes.busyBuffersSize = size;
  if (buffers.count < 2) {
    const busyEffective = busy ?? 2 * size;
    buffers = changes.buffers = { count: Math.max(2, Math.ceil(busyEffective / buffers.size) + 1), size: buffers.size };
  }
  if ((busy ?? 2 * size) > busyBuffersLimit(buffers)) {
    if (size > busyBuffersLimit(buffers)) {
      buffers = changes.buffers = { count: buffers.count, size };
    }
    const limit = busyBuffersLimit(buffers);
    if (busy === null) {
      if (2 * size > limit) changes.busyBuffersSize = size;
    } else if (busy > limit) {
      changes.busyBuffersSize = limit;
    }
  }
  if (values.tempFileWriteSize !== null && values.tempFileWriteSize < size) changes.tempFileWriteSize = size;
  if (values.maxTempFileSize !== 0 && values.maxTempFileSize < size) changes.maxTempFileSize = size;
  return changes;
}

/** A setting as nginx would write it: `8 4k` for buffers, `16k` for a size. */
export function spellSetting<Setting extends BufferSetting>(setting: Setting, value: NonNullable<BufferValues[Setting]>): string[] {
  if (setting === 'buffers') {
    const buffers = value as BufferCount;
    return [String(buffers.count), formatNginxSize(buffers.size)];
  }
  return [formatNginxSize(value as number)];
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the settings from the model

/** The blocks that form inheritance levels of the http modules. */
const HTTP_LEVELS: readonly BlockContext[] = ['http', 'server', 'location', 'if-in-server', 'if-in-location', 'limit_except'];
/** The levels nginx merges and checks: every one but `http` itself (ngx_http_merge_servers, ngx_http_merge_locations). */
const CHECKED_LEVELS: ReadonlySet<BlockContext> = new Set(['server', 'location', 'if-in-server', 'if-in-location', 'limit_except']);

/** Values set at `level` that are to be read as if they were written there; used to try a fix before offering it. */
interface Overlay {
  readonly level: ConfigNode | null;
  readonly values: Partial<BufferValues>;
}

/** The inheritance level a statement belongs to: its nearest http block, or null at the top of a snippet file. */
function levelOf(model: Model, statement: ConfigNode): ConfigNode | null {
  return model.enclosing(statement, HTTP_LEVELS);
}

/** True when `level` lies inside `ancestor` (null: the top of the file, which holds everything). */
function isInside(level: ConfigNode | null, ancestor: ConfigNode | null): boolean {
  if (level === ancestor || level === null) return false;
  return ancestor === null || liesWithin(level, ancestor);
}

/** `ngx_atoi`: digits only. */
function parseCount(text: string | undefined): number | null {
  return text !== undefined && /^[0-9]+$/.test(text) ? Number(text) : null;
}

/** A size these directives accept, or null: nginx rejects zero buffer sizes as "invalid value" too. */
function parsePositiveSize(text: string | undefined): number | null {
  const size = text === undefined ? null : parseNginxSize(text);
  return size === null || size === 0 ? null : size;
}

/** The values the written arguments give, each null one taking nginx's default; null if nginx rejects one. */
function parseValues(args: Readonly<Record<BufferSetting, readonly string[] | null>>): BufferValues | null {
  const size = (written: readonly string[] | null, fallback: number | null) => (written ? parsePositiveSize(written[0]) : fallback);
  const bufferSize = size(args.bufferSize, MEMORY_PAGE);
  const count = args.buffers ? parseCount(args.buffers[0]) : DEFAULT_BUFFER_COUNT;
  const bufferEach = size(args.buffers && args.buffers.slice(1), MEMORY_PAGE);
  const busyBuffersSize = size(args.busyBuffersSize, null);
  const tempFileWriteSize = size(args.tempFileWriteSize, null);
  // Zero is valid here: it turns temporary files off.
  const maxTempFileSize = args.maxTempFileSize ? parseNginxSize(args.maxTempFileSize[0] ?? '') : DEFAULT_MAX_TEMP_FILE_SIZE;
  const unreadable =
    bufferSize === null ||
    count === null ||
    count === 0 ||
    bufferEach === null ||
    maxTempFileSize === null ||
    (args.busyBuffersSize !== null && busyBuffersSize === null) ||
    (args.tempFileWriteSize !== null && tempFileWriteSize === null);
  if (unreadable) return null;
  return { bufferSize, buffers: { count, size: bufferEach }, busyBuffersSize, tempFileWriteSize, maxTempFileSize };
}

/**
 * The settings in effect at `scope` (a block, or a statement in one). Null when a value is one nginx rejects while
 * reading it ("invalid value"): invalid-arguments reports those, and no combination can be judged.
 */
export function readBufferSettings(model: Model, module: BufferedModule, scope: ConfigNode, overlay?: Overlay): BufferSettings | null {
  const nodes = {} as Record<BufferSetting, ConfigNode | null>;
  const args = {} as Record<BufferSetting, readonly string[] | null>;
  let replaced: Partial<BufferValues> = {};
  for (const setting of SETTINGS) {
    const effective = model.effective(scope, directiveName(module, setting));
    const node = effective.nodes[0] ?? null;
    const replacement = overlay?.values[setting];
    // A value set at the overlay's level replaces what that level supplies or inherits, not what a deeper level sets.
    const isReplaced = overlay !== undefined && replacement !== undefined && !(node && isInside(levelOf(model, node), overlay.level));
    if (isReplaced) replaced = { ...replaced, [setting]: replacement };
    nodes[setting] = isReplaced ? null : node;
    args[setting] = isReplaced ? null : (effective.values[0] ?? null);
  }
  const values = parseValues(args);
  return values && { module, nodes, values: { ...values, ...replaced } };
}

/** True when some level sets one of the module's buffer directives; otherwise every level has nginx's defaults. */
const settingNames = new Map<PassModule, ReadonlySet<string>>();

/**
 * The level `scope` takes all of the module's buffer settings from, because its own block sets none of them: the
 * nearest enclosing block (null: the top of the file). Undefined when the block sets one, and for the top-level
 * statement `checkedScopes` may give. A check of every level can then read each distinct set of values once: a
 * scope that takes them all from a level already read has the same values, statements and verdict. `checkedScopes`
 * lists a block before the blocks inside it, so a supplier that is itself a checked scope has been read by then.
 */
export function settingsSupplier(module: BufferedModule, scope: ConfigNode): ConfigNode | null | undefined {
  if (scope.blockContext === null) return undefined;
  let names = settingNames.get(module);
  if (!names) {
    names = new Set(SETTINGS.map((setting) => directiveName(module, setting)));
    settingNames.set(module, names);
  }
  for (const child of scope.children) if (names.has(child.directive.name)) return undefined;
  // The inheritance level around a block (inheritance.ts): server, location, `if` and `limit_except` all inherit.
  for (let ancestor = scope.parent; ancestor; ancestor = ancestor.parent) if (ancestor.blockContext !== null) return ancestor;
  return null;
}

export function isConfigured(model: Model, module: BufferedModule): boolean {
  return SETTINGS.some((setting) => model.nodes(directiveName(module, setting)).length > 0);
}

/**
 * One scope for each level nginx checks, inside `within` (itself included) or everywhere. The top of a snippet
 * file whose context is a server or location counts as a level; it needs a statement of its own to stand for it.
 */
/** A block `checkedScopes` gives: server, location, `if` or `limit_except`. */
export function isCheckedScope(node: ConfigNode): boolean {
  return node.blockContext !== null && CHECKED_LEVELS.has(node.blockContext);
}

export function checkedScopes(model: Model, within: ConfigNode | null = null): ConfigNode[] {
  const scopes: ConfigNode[] = [];
  const collect = (node: ConfigNode) => {
    if (isCheckedScope(node)) scopes.push(node);
  };
  if (within === null) {
    const { rootContext, roots } = model.tree;
    const rootStatement = roots.find((node) => node.blockContext === null);
    if (CHECKED_LEVELS.has(rootContext) && rootStatement) scopes.push(rootStatement);
    walkTree(roots, collect);
  } else {
    collect(within);
    walkTree(within.children, collect);
  }
  return scopes;
}

function depthOf(node: ConfigNode): number {
  let depth = 0;
  for (let current = node.parent; current; current = current.parent) depth++;
  return depth;
}

/**
 * The statement to blame for a failed check: of the written settings the check compares, the one on the innermost
 * level — the one that made an inherited combination invalid — preferring the setting nginx's message is about.
 * nginx itself names the end of the `http` block, which says nothing about the cause.
 */
export function culpritOf(settings: BufferSettings, check: BufferCheck): ConfigNode | null {
  const { values, nodes } = settings;
  // The setting that makes up `largestBuffer`, which every check but the count compares against.
  const sizing: BufferSetting = values.bufferSize >= values.buffers.size ? 'bufferSize' : 'buffers';
  const involved: Record<BufferCheck, readonly BufferSetting[]> = {
    'buffer-count': ['buffers'],
    'busy-below-buffer': ['busyBuffersSize', sizing],
    'busy-above-limit': values.busyBuffersSize !== null ? ['busyBuffersSize', 'buffers'] : [sizing, 'buffers'],
    'temp-write-below-buffer': ['tempFileWriteSize', sizing],
    'max-temp-below-buffer': ['maxTempFileSize', sizing],
  };
  let culprit: ConfigNode | null = null;
  for (const setting of involved[check]) {
    const node = nodes[setting];
    if (node && (culprit === null || depthOf(node) > depthOf(culprit))) culprit = node;
  }
  return culprit;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixing

export interface BufferFix {
  /** What the fix writes and where, for messages: `proxy_buffer_size 16k and proxy_busy_buffers_size 16k in location /api/`. */
  readonly summary: string;
  readonly changes: readonly TextChange[];
}

/**
 * Sets `required` at the level of `at` (a statement there), plus whatever `repairBuffers` needs for the result to
 * pass nginx's checks there. A setting written at that level is edited in place; the others are added after `at`,
 * so they override inherited values for this level and those inside it only.
 *
 * Null when a level inside would then fail nginx's checks: one that passes now but overrides some settings itself,
 * or one that fails now for a reason written at this level or above, which the change does not cure. A level that
 * fails because of a setting written inside it is left alone: that is another finding, with a fix of its own.
 */
export function planBufferFix(model: Model, module: PassModule, at: ConfigNode, required: Partial<BufferValues>): BufferFix | null {
  const level = levelOf(model, at);
  const levelScope = level ?? at;
  let values = required;
  if (module !== 'grpc') {
    const current = readBufferSettings(model, module, levelScope, { level, values: required });
    if (!current) return null;
    values = { ...required, ...repairBuffers(current.values) };
    const overlay: Overlay = { level, values };
    for (const scope of checkedScopes(model, level)) {
      const after = readBufferSettings(model, module, scope, overlay);
      const afterCheck = after && failedCheck(after.values);
      if (!afterCheck) continue;
      const before = readBufferSettings(model, module, scope);
      const beforeCheck = before && failedCheck(before.values);
      const owner = before && beforeCheck ? culpritOf(before, beforeCheck) : null;
      if (!owner || !isInside(levelOf(model, owner), level)) return null;
    }
  }

  const file = at.directive.file;
  if (!model.appearsOnce(at)) return null;
  const statements: string[] = [];
  const changes: TextChange[] = [];
  const added: string[] = [];
  for (const setting of SETTINGS) {
    const value = values[setting];
    if (value === undefined || value === null) continue;
    const name = directiveName(module, setting);
    const args = spellSetting(setting, value);
    const statement = `${name} ${args.join(' ')}`;
    statements.push(statement);
    const supplier = model.effective(levelScope, name).nodes[0];
    if (!supplier || levelOf(model, supplier) !== level) added.push(`${statement};`);
    // A fix must stay in one file for the engine to apply it, and a second statement at the level would be a duplicate.
    else if (supplier.directive.file !== file || !model.appearsOnce(supplier)) return null;
    else changes.push(...replaceArgs(supplier, args));
  }
  if (added.length > 0) changes.push(...insertStatementAfter(at, added.join('\n')));
  const place = level ? ` in ${statementText(level)}` : '';
  return { summary: `${statements.join(' and ')}${place}`, changes: [...changes, ...spanningLevel(at)] };
}

/**
 * Empty changes at both ends of the block `at` stands in (or of its file, at the top level), so that the fix spans
 * the whole level. Another fix to the same level — the other buffer rule's, which may add the same directive — then
 * overlaps this one and waits for the next pass, where it is recomputed from the fixed text.
 */
function spanningLevel(at: ConfigNode): TextChange[] {
  const { file, parent } = at.directive;
  const start = parent ? parent.terminatorStart + 1 : 0;
  const end = parent ? parent.blockEnd : file.text.length;
  return [
    { file, start, end: start, text: '' },
    { file, start: end, end, text: '' },
  ];
}
