/**
 * Files of a container that the repository holds: a container path mapped through the container's COPYs and bind
 * mounts to the repository file, read when it is inside the project. An app server's own configuration file named on
 * its command line (uWSGI's `--ini /app/uwsgi.ini`) is read this way.
 */
import { isInside, readRegularTextFile } from '../files.js';
import { repoPathOf, type PathMapping } from '../load/container-view.js';

/** Configuration files larger than this are not read. */
const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * A reader of the container's files: its text and a name for evidence (`label` gives it: `../docker/uwsgi.ini`,
 * relative to where the facts are shown from), or null when no mapping holds the path, the file is outside
 * `boundary`, or it cannot be read.
 */
export function containerFileReader(
  mappings: readonly PathMapping[],
  boundary: string,
  label: (file: string) => string,
): (containerPath: string) => { readonly text: string; readonly name: string } | null {
  return (containerPath) => {
    const file = repoPathOf(mappings, containerPath);
    if (file === null) return null;
    try {
      if (!isInside(file, boundary)) return null;
      return { text: readRegularTextFile(file, MAX_CONFIG_BYTES), name: label(file) };
    } catch {
      return null;
    }
  };
}
