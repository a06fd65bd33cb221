/**
 * Reading and writing the files a repository controls. In CI on a pull request everything in the checkout is the
 * attacker's — a `compose.yaml` that is a FIFO, a baseline that links to /dev/zero, a report path that is a symlink
 * to a file elsewhere — so every reader refuses what is not a regular file and caps its size, and every writer
 * refuses to follow a link or write into a device (docs/security.md).
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** Config files, baselines, Compose files and manifests larger than this are refused. */
export const MAX_AUX_FILE_BYTES = 8 * 1024 * 1024;
/** JSON nested deeper than this is refused before it is parsed (nothing nginx-lint reads needs 64 levels). */
export const MAX_JSON_DEPTH = 64;

export class UnsafeFileError extends Error {
  override name = 'UnsafeFileError';
}

/** Why `stats` is not a file to read or write, or null when it is a regular file. */
function notRegular(kind: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isDirectory(): boolean;
}): string | null {
  if (kind.isDirectory()) return 'is a directory';
  if (kind.isFIFO() || kind.isSocket()) return 'is not a regular file (a FIFO or socket)';
  if (kind.isCharacterDevice() || kind.isBlockDevice()) return 'is not a regular file (a device)';
  return null;
}

/**
 * Opens a regular file of at most `maxBytes` and hands its descriptor and size to `use`, closing it after: checked on
 * the open file, so a name swapped for a FIFO between a check and the read cannot block the run. Throws
 * UnsafeFileError.
 */
function withRegularFile<T>(filePath: string, maxBytes: number, use: (descriptor: number, size: number) => T): T {
  // O_NONBLOCK: opening a FIFO for reading must not wait for a writer before we can see it is one.
  const descriptor = openSync(filePath, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(descriptor);
    const problem = notRegular(stats);
    if (problem) throw new UnsafeFileError(`${filePath} ${problem}`);
    if (stats.size > maxBytes) throw new UnsafeFileError(`${filePath} is larger than ${maxBytes} bytes`);
    return use(descriptor, stats.size);
  } finally {
    closeSync(descriptor);
  }
}

/** Reads a whole text file that is a regular file of at most `maxBytes` (see `withRegularFile`). */
export function readRegularTextFile(filePath: string, maxBytes = MAX_AUX_FILE_BYTES): string {
  return withRegularFile(filePath, maxBytes, (descriptor, size) => {
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const count = readSync(descriptor, buffer, read, size - read, read);
      if (count === 0) break;
      read += count;
    }
    return buffer.subarray(0, read).toString('utf8');
  });
}

/** What `scanRegularTextFile` reads at a time: a main config says what it is in its first few lines. */
const SCAN_CHUNK_BYTES = 64 * 1024;

/**
 * Reads a regular text file of at most `maxBytes` a chunk at a time (see `withRegularFile`), handing each piece of
 * text to `found` until it returns true: a question answered near the top of a 25 MB file does not cost reading and
 * decoding all of it. Returns whether `found` ever did.
 */
export function scanRegularTextFile(filePath: string, maxBytes: number, found: (text: string) => boolean): boolean {
  return withRegularFile(filePath, maxBytes, (descriptor, size) => {
    const decoder = new TextDecoder('utf-8');
    const buffer = Buffer.alloc(Math.min(SCAN_CHUNK_BYTES, size));
    let position = 0;
    while (position < size) {
      const count = readSync(descriptor, buffer, 0, Math.min(buffer.length, size - position), position);
      if (count === 0) break;
      position += count;
      if (found(decoder.decode(buffer.subarray(0, count), { stream: true }))) return true;
    }
    return found(decoder.decode());
  });
}

/** A mapping of a parsed YAML or JSON file: an object that is not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws when JSON text nests deeper than MAX_JSON_DEPTH (JSON.parse and the walkers after it recurse). */
export function assertJsonDepth(text: string, source: string): void {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (++depth > MAX_JSON_DEPTH) throw new UnsafeFileError(`${source} nests deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (char === '}' || char === ']') depth--;
  }
}

/**
 * Writes `content` (a text, or a text's consecutive pieces) to `target` without following a link: refuses a target
 * that is a symbolic link, a FIFO, a device or a directory, writes a temporary file beside it and renames it over the
 * target (which replaces the name, never what a link would point to). Throws UnsafeFileError.
 */
export function writeFileNoFollow(target: string, content: string | Iterable<string>): void {
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(target);
  } catch {
    existing = undefined;
  }
  if (existing?.isSymbolicLink()) throw new UnsafeFileError(`refusing to write ${target}: it is a symbolic link`);
  const problem = existing ? notRegular(existing) : null;
  if (problem) throw new UnsafeFileError(`refusing to write ${target}: it ${problem}`);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.nginx-lint-${process.pid}.tmp`);
  try {
    const descriptor = openSync(temporary, 'wx', existing ? existing.mode & 0o777 : 0o644);
    try {
      for (const piece of typeof content === 'string' ? [content] : content) writeFileSync(descriptor, piece);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, target);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing was written, or the rename happened.
    }
    throw error;
  }
}

/** The nearest directory at or above `start` holding `.git` (a directory, or a worktree's file); null outside any. */
export function findRepoRoot(start: string): string | null {
  let directory = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(directory, '.git'))) return directory;
    const parent = path.dirname(directory);
    if (parent === directory) return null;
    directory = parent;
  }
}

/** Whether the real path of `filePath` (links followed) is inside `root`; a name that does not exist counts by its own path. */
export function isInside(filePath: string, root: string): boolean {
  const real = (candidate: string) => {
    try {
      return realpathSync(candidate);
    } catch {
      return path.resolve(candidate);
    }
  };
  const relative = path.relative(real(root), real(filePath));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
