/**
 * The repository files that its nginx containers read as configuration, whatever their names. A folder scan finds
 * configs by name (`*.conf`, `nginx.conf*`, `sites-enabled/*`, a folder named nginx), which misses the config a
 * container runs when its name says nothing: `COPY nginx.prod /etc/nginx/conf.d/default.conf`, a Compose volume
 * `./proxy/site:/etc/nginx/conf.d/site.conf`, a `docker run -v $(pwd)/gateway:/etc/nginx/conf.d`. The containers are
 * those of an nginx image (or an image whose Dockerfile installs or builds nginx): Compose services, the repository's
 * Dockerfiles, and its `docker run`s; what they put under nginx's configuration folders is a config to lint when it
 * reads as nginx (certificates, password files and pages there do not).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Node } from 'yaml';
import { IMAGE_CONF_DIR, OPENRESTY_CONF_DIR, type PathMapping } from '../load/container-view.js';
import { isNginxImage } from './app-servers.js';
import { volumeMapping } from './compose.js';
import { repositoryFiles } from './discovery.js';
import { repositoryDockerRuns } from './docker-run.js';
import { builtImageOf, readDockerfileInItsContext, type BuiltImage } from './dockerfile.js';
import { COMPOSE_FILE_GLOBS, composeDocuments } from './nginx-service.js';
import { OriginFactory } from './origin.js';

/** Where nginx images read their configuration: nginx's and OpenResty's prefixes. */
const CONFIG_FOLDERS = [IMAGE_CONF_DIR, OPENRESTY_CONF_DIR, '/etc/openresty'];
const DOCKERFILES = ['**/Dockerfile', '**/Dockerfile.*', '**/Containerfile', '**/*.Dockerfile', '**/*.dockerfile'];
/** At most this many Compose files and Dockerfiles are read, and this many files listed in a mounted folder. */
const MAX_FILES = 200;
const MAX_FOLDER_FILES = 500;

/** Whether an image runs nginx: an nginx image, or one built on nginx's or with nginx installed or compiled. */
function runsNginx(image: string | null, built: BuiltImage | null): boolean {
  return isNginxImage(image) || isNginxImage(built?.baseImage ?? null) || built?.installsNginx === true || built?.nginxSourceBuild != null;
}

/** The files of a repository path: the file itself, or a folder's files to a bounded number; none when it is neither. */
function filesAt(location: string): string[] {
  try {
    if (statSync(location).isFile()) return [location];
  } catch {
    return [];
  }
  const files: string[] = [];
  const visit = (directory: string) => {
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.length >= MAX_FOLDER_FILES) return;
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  visit(location);
  return files;
}

/** The repository files a mapping puts under nginx's configuration folders. */
function configFilesOf(mapping: PathMapping): string[] {
  const inConfigFolder = (containerPath: string) =>
    CONFIG_FOLDERS.some((folder) => containerPath === folder || containerPath.startsWith(`${folder}/`));
  // A Dockerfile's COPY read without its build context names a source relative to the Dockerfile's folder, which may
  // not be there: only what exists counts.
  return filesAt(mapping.repo).filter((file) => {
    const relative = path.relative(mapping.repo, file).split(path.sep).join('/');
    const containerPath = relative === '' ? mapping.container : path.posix.join(mapping.container, relative);
    // A folder mounted above /etc/nginx (the whole of /etc) counts only for what lands in it. The image renders
    // /etc/nginx/templates/*.template into conf.d: those are found by name and read rendered; nothing else there is read.
    return inConfigFolder(containerPath) && !containerPath.includes('/templates/');
  });
}

/**
 * Every repository file an nginx container of the repository reads from its configuration folders: mounted by a
 * Compose service or a `docker run`, or copied by a Dockerfile (built by Compose or on its own, its folder the build
 * context). Files are not read here; the caller keeps those that read as nginx.
 */
export function configsNginxReads(repoRoot: string): string[] {
  const origins = new OriginFactory(repoRoot);
  const mappings: PathMapping[] = [];
  for (const file of repositoryFiles(repoRoot, COMPOSE_FILE_GLOBS, MAX_FILES)) {
    for (const document of composeDocuments(file, origins)) {
      for (const { value: service } of document.entries(document.at(document.root, 'services'))) {
        const built = builtImageOf(document, service as Node | null, origins, repoRoot);
        if (!runsNginx(document.text(document.at(service, 'image')), built)) continue;
        for (const item of document.items(document.at(service, 'volumes'))) {
          const mapping = volumeMapping(document, item, path.dirname(file), origins);
          if (mapping) mappings.push(mapping);
        }
        mappings.push(...(built?.copies ?? []));
      }
    }
  }
  for (const dockerfile of repositoryFiles(repoRoot, DOCKERFILES, MAX_FILES)) {
    const built = readDockerfileInItsContext(dockerfile, origins, repoRoot);
    if (built && runsNginx(null, built)) mappings.push(...built.copies);
  }
  for (const run of repositoryDockerRuns(repoRoot)) {
    if (isNginxImage(run.image)) mappings.push(...run.mounts.map((mount) => ({ ...mount, origin: '' })));
  }
  const inRepository = (file: string) => file === repoRoot || file.startsWith(repoRoot + path.sep);
  return [...new Set(mappings.filter((mapping) => inRepository(mapping.repo)).flatMap(configFilesOf))].sort();
}
