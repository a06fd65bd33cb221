/**
 * nginx started with `docker run` (or `podman run`) by a repository's shell script, Makefile or README: the bind mounts
 * of its `-v`/`--volume`/`--mount` options say where the container reads the repository's config
 * (`docker run -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf:ro nginx:1.25-alpine` reads it as the main config, not as a
 * `conf.d` server file), and its image names the nginx release. A README's shell blocks count: they are the commands
 * the project tells its users to run.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseShell } from 'shell-quote';
import { readRegularTextFile } from '../files.js';
import { directoriesUp, repositoryFiles } from './discovery.js';

/** Files read for `docker run` commands, and the most read per repository. */
const COMMAND_FILE_GLOBS = ['**/*.{sh,bash}', '**/{Makefile,makefile,GNUmakefile}', '**/*.mk', '**/*.md'];
const MAX_COMMAND_FILES = 500;
const MAX_COMMAND_FILE_BYTES = 256 * 1024;

/** `docker run`, `docker container run`, `podman run`, `sudo docker run`: where the options start. */
const RUN_COMMAND = /\b(?:docker|podman)(?:\s+container)?\s+run\b/g;

/**
 * The `docker run` options that take a value (docker run --help, Docker 27), long and short. Every other option is a
 * flag: `-d`, `-it`, `--rm`, `--init`, `--privileged`, `--read-only`, `-P`.
 */
const OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set(
  (
    '--add-host --annotation --attach -a --blkio-weight --blkio-weight-device --cap-add --cap-drop --cgroup-parent ' +
    '--cgroupns --cidfile --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime --cpu-shares -c --cpus ' +
    '--cpuset-cpus --cpuset-mems --detach-keys --device --device-cgroup-rule --device-read-bps --device-read-iops ' +
    '--device-write-bps --device-write-iops --dns --dns-option --dns-search --domainname --entrypoint --env -e ' +
    '--env-file --expose --gpus --group-add --health-cmd --health-interval --health-retries --health-start-interval ' +
    '--health-start-period --health-timeout --hostname -h --ip --ip6 --ipc --isolation --kernel-memory --label -l ' +
    '--label-file --link --link-local-ip --log-driver --log-opt --mac-address --memory -m --memory-reservation ' +
    '--memory-swap --memory-swappiness --mount --name --network --net --network-alias --oom-score-adj --pid ' +
    '--pids-limit --platform --publish -p --pull --restart --runtime --security-opt --shm-size --stop-signal ' +
    '--stop-timeout --storage-opt --sysctl --tmpfs --ulimit --user -u --userns --uts --volume -v --volume-driver ' +
    '--volumes-from --workdir -w'
  ).split(' '),
);
/** Short options that take a value, which may be written attached (`-p80:80`, `-v/a:/b`, `-eNAME=value`). */
const SHORT_WITH_VALUE = new Set([...OPTIONS_WITH_VALUE].filter((option) => /^-[a-z]$/i.test(option)).map((option) => option[1]!));

/** A variable the shell sets when the command runs: left in a word as this marker, so a path holding one is unknown. */
const UNKNOWN = '\u0000';

/**
 * Spellings of "the folder the command runs in": `$(pwd)`, `` `pwd` ``, `$PWD`, `${PWD}`, make's `$(CURDIR)`,
 * `$(shell pwd)` and `$(PWD)`, and a script's own folder (`$(dirname "$0")`, `$(cd "$(dirname "$0")" && pwd)`).
 */
const WORKING_FOLDER =
  /\$\(\s*cd\s+"?\$\(\s*dirname\s+"?\$(?:0|\{0\}|\{BASH_SOURCE\[0\]\}|BASH_SOURCE)"?\s*\)"?\s*(?:&&|;)\s*pwd\s*\)|\$\(\s*dirname\s+"?\$(?:0|\{0\}|\{BASH_SOURCE\[0\]\}|BASH_SOURCE)"?\s*\)|\$\(\s*pwd\s*\)|`pwd`|\$\{PWD\}|\$PWD\b|\$\((?:CURDIR|PWD|shell\s+pwd)\)/g;

export interface BindMount {
  readonly repo: string;
  readonly container: string;
}

export interface DockerRun {
  /** The script, Makefile or README that runs it, and the 1-based line where the command starts. */
  readonly file: string;
  readonly line: number;
  readonly image: string;
  /** The bind mounts of repository paths that exist: the path, and where the container has it. */
  readonly mounts: readonly BindMount[];
  readonly environment: Readonly<Record<string, string>>;
}

/** A fenced block of a README that a shell runs: ```sh, ```bash, ```shell, ```console, or one without a language. */
const SHELL_FENCE = /^(```|~~~)[ \t]*(?:sh|bash|shell|console|zsh)?[ \t]*\n([\s\S]*?)^\1[ \t]*$/gm;

/** The parts of a file a shell runs, each with the offset it starts at: a whole script, a README's shell blocks. */
function shellParts(file: string, text: string): { text: string; start: number }[] {
  if (!file.endsWith('.md')) return [{ text, start: 0 }];
  return [...text.matchAll(SHELL_FENCE)].map((match) => ({ text: match[2]!, start: match.index + match[0].indexOf('\n') + 1 }));
}

/** `SOURCE:TARGET[:MODE]` or `type=bind,source=…,target=…` as a mapping; null for a named volume or a tmpfs. */
function bindMount(value: string, isMount: boolean, workingFolder: string): BindMount | null {
  let source: string | undefined;
  let target: string | undefined;
  if (isMount) {
    const fields = new Map(value.split(',').map((field) => [field.split('=')[0]!, field.slice(field.indexOf('=') + 1)] as const));
    if ((fields.get('type') ?? 'volume') !== 'bind') return null;
    source = fields.get('source') ?? fields.get('src');
    target = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  } else {
    [source, target] = value.split(':');
  }
  if (!source || !target || source.includes(UNKNOWN) || !target.startsWith('/')) return null;
  // A bare name is a named volume; `./x` and `../x` are relative to where the command runs, as Docker reads them.
  if (!/^(\.{1,2}(\/|$)|\/)/.test(source)) return null;
  const repo = path.resolve(workingFolder, source);
  return existsSync(repo) ? { repo, container: path.posix.normalize(target) } : null;
}

/** The options and image of one `docker run` from the words after `run`; null when no image follows. */
function readRun(words: readonly string[], workingFolder: string): Omit<DockerRun, 'file' | 'line'> | null {
  const mounts: BindMount[] = [];
  const environment: Record<string, string> = {};
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (!word.startsWith('-') || word === '-') {
      if (word.includes(UNKNOWN)) return null;
      return { image: word, mounts, environment };
    }
    let option = word;
    let value: string | undefined;
    if (word.startsWith('--')) {
      const equals = word.indexOf('=');
      if (equals !== -1) [option, value] = [word.slice(0, equals), word.slice(equals + 1)];
    } else if (word.length > 2 && SHORT_WITH_VALUE.has(word[1]!) && !/^-[a-zA-Z]+$/.test(word)) {
      [option, value] = [word.slice(0, 2), word.slice(2)];
    } else if (word.length > 2) {
      // Flags written together (`-dit`); the last may take a value from the next word (`-itv /a:/b`).
      const last = word[word.length - 1]!;
      option = SHORT_WITH_VALUE.has(last) ? `-${last}` : word;
    }
    if (OPTIONS_WITH_VALUE.has(option) && value === undefined) value = words[++index];
    if (value === undefined) continue;
    if (option === '-v' || option === '--volume' || option === '--mount') {
      const mount = bindMount(value, option === '--mount', workingFolder);
      if (mount) mounts.push(mount);
    } else if ((option === '-e' || option === '--env') && value.includes('=') && !value.includes(UNKNOWN)) {
      environment[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1);
    }
  }
  return null;
}

/** The words of a command line, variables the shell would expand kept as markers; null past an operator (`&&`, `|`). */
function commandWords(command: string): string[] {
  const words: string[] = [];
  for (const entry of parseShell(command, (name) => `${UNKNOWN}${name}`)) {
    if (typeof entry !== 'string') break;
    words.push(entry);
  }
  return words;
}

/**
 * The `docker run` commands of one file's text: each command line, its continuations (`\\` at the end of a line)
 * joined, read from `docker run` to the first operator (`&&`, `|`, `;`). A prompt (`$ docker run`) or `sudo` before
 * it changes nothing.
 */
export function dockerRunsIn(file: string, text: string): DockerRun[] {
  const folder = path.dirname(file);
  const runs: DockerRun[] = [];
  for (const part of shellParts(file, text)) {
    const firstLine = text.slice(0, part.start).split('\n').length;
    const lines = part.text.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const line = firstLine + index;
      let command = lines[index]!;
      while (/\\\r?$/.test(command) && index + 1 < lines.length) command = command.replace(/\\\r?$/, ' ') + lines[++index]!;
      command = command.replace(WORKING_FOLDER, () => folder);
      for (const run of command.matchAll(RUN_COMMAND)) {
        const read = readRun(commandWords(command.slice(run.index + run[0].length)), folder);
        if (read) runs.push({ file, line, ...read });
      }
    }
  }
  return runs;
}

/** The `docker run`s of files that bind-mount a path of the repository. */
function dockerRunsOfFiles(files: readonly string[]): DockerRun[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readRegularTextFile(file, MAX_COMMAND_FILE_BYTES);
    } catch {
      return [];
    }
    if (text.search(RUN_COMMAND) === -1) return [];
    return dockerRunsIn(file, text).filter((run) => run.mounts.length > 0);
  });
}

/** Every `docker run` of the repository's scripts, Makefiles and READMEs that bind-mounts a path of it. */
export function repositoryDockerRuns(repoRoot: string): DockerRun[] {
  return dockerRunsOfFiles(repositoryFiles(repoRoot, COMMAND_FILE_GLOBS, MAX_COMMAND_FILES));
}

/** A script, Makefile or Markdown file by its name. */
const COMMAND_FILE_NAME = /\.(?:sh|bash|mk|md)$|^(?:Makefile|makefile|GNUmakefile)$/;

/**
 * The `docker run`s of the scripts, Makefiles and READMEs in the folders from `startDirectory` up to the repository
 * root, as Compose files are found: what runs a config is said beside it or above it (its README, the root's `run.sh`),
 * and a lint of one file does not search the whole repository for it.
 */
export function dockerRunsAbove(startDirectory: string, repoRoot: string): DockerRun[] {
  return dockerRunsOfFiles(
    directoriesUp(startDirectory, repoRoot).flatMap((directory) => {
      try {
        return readdirSync(directory, { withFileTypes: true })
          .filter((entry) => entry.isFile() && COMMAND_FILE_NAME.test(entry.name))
          .map((entry) => path.join(directory, entry.name))
          .sort();
      } catch {
        return [];
      }
    }),
  );
}
