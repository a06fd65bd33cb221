/**
 * Writing fixed files back so that a crash, a full disk or a kill at any moment leaves either the old file or the
 * new one, never a truncated mix: the new text goes to a temporary file in the same directory (so the final
 * `rename` stays on one filesystem, where POSIX makes it atomic), is flushed to disk, takes over the original's
 * permissions and owner, and only then replaces the original.
 */
import { lazyRequire } from '../lazy-require.js';
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, realpathSync, renameSync, lstatSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceFile } from '../syntax/ast.js';

/** Loaded on first use: node:crypto pulls in streams and ~20 internal modules, a few ms of every start-up. */
const crypto = lazyRequire<typeof import('node:crypto')>('node:crypto');

/** Characters latin1 cannot encode: `Buffer.from(text, 'latin1')` would silently keep only their low byte. */
const OUTSIDE_LATIN1 = /[^\u0000-\u00ff]/;

/** Runs a step whose failure must not stop the write; each caller says why its step may fail. */
function bestEffort(step: () => void): void {
  try {
    step();
  } catch {
    // Deliberately ignored: see the caller.
  }
}

function temporaryPathFor(target: string): string {
  const name = `.${path.basename(target)}.nginx-lint-${process.pid}-${crypto().randomBytes(6).toString('hex')}.tmp`;
  return path.join(path.dirname(target), name);
}

/**
 * Makes the rename itself durable: until the directory entry is flushed, a power loss can bring back the old file.
 * Best effort, because some filesystems and platforms refuse to open or fsync a directory, and the file's own data
 * is already safe by then.
 */
function syncDirectory(directory: string): void {
  bestEffort(() => {
    const descriptor = openSync(directory, 'r');
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  });
}

/**
 * Replaces the contents of the existing file at `filePath` with `text`, atomically. A symbolic link is followed:
 * its target is rewritten and the link stays a link. Mode bits are copied from the original, and owner and group
 * too when running as root (best effort: a filesystem may refuse them). On failure the temporary file is removed,
 * the original is untouched, and the error is rethrown.
 */
export function writeFileAtomic(filePath: string, text: string, encoding: 'utf8' | 'latin1'): void {
  if (encoding === 'latin1' && OUTSIDE_LATIN1.test(text)) {
    throw new Error(`${filePath}: cannot write the fixed file as latin1 (its original encoding): the fix added characters latin1 cannot represent`);
  }
  // The link is resolved once, here: the caller checked that this real path is inside the project root
  // (file-access.ts), and what is renamed over is that regular file, never a FIFO, device or another link.
  const target = realpathSync(filePath);
  const original = lstatSync(target);
  if (!original.isFile()) throw new Error(`${filePath}: not written: it is not a regular file`);
  const temporary = temporaryPathFor(target);
  // 0o600 until the original's mode is copied, so a file holding secrets is never readable by others meanwhile.
  const descriptor = openSync(temporary, 'wx', 0o600);
  let descriptorOpen = true;
  try {
    // Only root may give a file away; some filesystems (FAT, certain network mounts) do not store owners at all.
    if (process.getuid?.() === 0) bestEffort(() => fchownSync(descriptor, original.uid, original.gid));
    // After chown, which may clear the set-user-ID and set-group-ID bits.
    fchmodSync(descriptor, original.mode & 0o7777);
    writeFileSync(descriptor, Buffer.from(text, encoding));
    fsyncSync(descriptor);
    descriptorOpen = false;
    closeSync(descriptor);
    renameSync(temporary, target);
  } catch (error) {
    // A cleanup step failing too (the temporary file already gone, say) must not hide the error that caused it.
    if (descriptorOpen) bestEffort(() => closeSync(descriptor));
    bestEffort(() => unlinkSync(temporary));
    throw error;
  }
  syncDirectory(path.dirname(target));
}

/** Writes a fixed file back in the encoding it was read with. Files cut out of an `nginx -T` dump are refused. */
export function writeFixedFile(file: SourceFile, text: string): void {
  if (file.virtual) {
    throw new Error(
      `${file.path}: not written: this file comes from an \`nginx -T\` dump and exists only inside it; ` +
        'run the fix on the configuration files themselves',
    );
  }
  writeFileAtomic(file.path, text, file.encoding ?? 'utf8');
}
