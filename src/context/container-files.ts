/**
 * Files of a container that the repository holds: a container path mapped through the container's COPYs and bind
 * mounts to the repository file, read when it is inside the project. An app server's own configuration file named on
 * its command line (uWSGI's `--ini /app/uwsgi.ini`) is read this way.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isInside, readRegularTextFile } from '../files.js';
import { repoPathOf, type PathMapping } from '../load/container-view.js';

/** Configuration files larger than this are not read. */
const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * A reader of the container's files: its text and a name for evidence (`label` gives it: `../docker/uwsgi.ini`,
 * relative to where the facts are shown from), or null when no mapping holds the path, the file is outside
 * `boundary`, it cannot be read, or one of `editsInPlace` (the `sed -i` commands of the image's build and start
 * scripts) may change it there.
 */
export function containerFileReader(
  mappings: readonly PathMapping[],
  boundary: string,
  label: (file: string) => string,
  editsInPlace: () => readonly string[] = () => [],
): (containerPath: string) => { readonly text: string; readonly name: string } | null {
  return (containerPath) => {
    const file = repoPathOf(mappings, containerPath);
    if (file === null || editedInPlace(editsInPlace(), containerPath)) return null;
    try {
      if (!isInside(file, boundary)) return null;
      return { text: readRegularTextFile(file, MAX_CONFIG_BYTES), name: label(file) };
    } catch {
      return null;
    }
  };
}

/**
 * The names of the files the repository puts in a container folder (`/etc/php83/php-fpm.d`): files COPYed or mounted
 * there one by one, and the files of a repository folder COPYed or mounted as it or above it. What the image itself
 * has there is not known here.
 */
export function containerFolderLister(mappings: readonly PathMapping[], boundary: string): (containerDir: string) => string[] {
  return (containerDir) => {
    const folder = path.posix.normalize(containerDir);
    const names = new Set<string>();
    for (const mapping of mappings) {
      if (mapping.entries) continue;
      if (path.posix.dirname(mapping.container) === folder) {
        if (isFile(mapping.repo)) names.add(path.posix.basename(mapping.container));
        continue;
      }
      const rest = path.posix.relative(mapping.container, folder);
      if (rest.startsWith('..') || path.posix.isAbsolute(rest)) continue;
      const repoFolder = rest === '' ? mapping.repo : path.join(mapping.repo, ...rest.split('/'));
      try {
        if (!isInside(repoFolder, boundary)) continue;
        for (const name of readdirSync(repoFolder)) if (isFile(path.join(repoFolder, name))) names.add(name);
      } catch {
        // Not a folder of the repository: nothing from there.
      }
    }
    return [...names].sort();
  };
}

function isFile(candidate: string): boolean {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/**
 * Whether an in-place edit (`sed -i -e "s/listen = 127.0.0.1:9000/listen = 9001/g" /etc/php83/php-fpm.d/www.conf`)
 * may name the file: any such command (and what follows it on its line) that holds its name, or in which a command
 * ends with a variable (richarvey's `${fpm_conf}`).
 */
function editedInPlace(edits: readonly string[], containerPath: string): boolean {
  const name = path.posix.basename(containerPath);
  return edits.some((edit) => edit.includes(name) || /\$\{?\w+\}?["']?\s*(?:&&|\|\||;|$)/.test(edit.trim()));
}

/** A `sed` command given `-i` (`-i.bak`, `-Ei`) or `--in-place`. */
const SED_IN_PLACE = /\bsed\b[^;&|]*?\s(?:-[a-zA-Z]*i|--in-place)/;

/**
 * The in-place edits of a Dockerfile or script (`sed -i`, continued lines joined): each line from its first such
 * command on, so that what the line does before it (`rm /usr/local/etc/php-fpm.conf && … && sed -i … nginx.conf`) is
 * not taken for what it edits.
 */
export function inPlaceEdits(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, '  ')
    .split(/\r?\n/)
    .flatMap((line) => {
      const edit = SED_IN_PLACE.exec(line);
      return edit ? [line.slice(edit.index)] : [];
    });
}
