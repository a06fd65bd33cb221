/**
 * `docker run` commands of scripts, Makefiles and READMEs (src/context/docker-run.ts): which image they start and
 * which repository paths they bind-mount where.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerRunsIn } from '../src/context/docker-run.js';
import { temporaryTrees } from './helpers/files.js';

const tree = temporaryTrees();

/** The runs of `text` written in `file` of a repository holding `files`, with paths relative to its root. */
function runsOf(file: string, text: string, files: Record<string, string> = { 'nginx.conf': 'events {}\n', 'conf.d/site.conf': '' }) {
  const root = tree(files);
  return dockerRunsIn(path.join(root, file), text).map((run) => ({
    line: run.line,
    image: run.image,
    mounts: run.mounts.map((mount) => [path.relative(root, mount.repo), mount.container]),
    environment: run.environment,
  }));
}

describe('docker run commands', () => {
  it.each([
    ['$(pwd)', 'docker run -d -p 80:80 -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf:ro nginx:1.25-alpine'],
    ['`pwd`', 'docker run -d -v `pwd`/nginx.conf:/etc/nginx/nginx.conf nginx:1.25-alpine'],
    ['"$PWD"', 'docker run --rm -v "$PWD/nginx.conf:/etc/nginx/nginx.conf:ro" nginx:1.25-alpine nginx -t'],
    ['${PWD}', 'sudo docker run -v ${PWD}/nginx.conf:/etc/nginx/nginx.conf nginx:1.25-alpine'],
    ['./ relative', 'docker run -v ./nginx.conf:/etc/nginx/nginx.conf nginx:1.25-alpine'],
    ['the script folder', 'docker run -v "$(cd "$(dirname "$0")" && pwd)/nginx.conf:/etc/nginx/nginx.conf" nginx:1.25-alpine'],
    ['--volume=', 'docker run --volume=$(pwd)/nginx.conf:/etc/nginx/nginx.conf nginx:1.25-alpine'],
    ['-v attached', 'docker run -v$(pwd)/nginx.conf:/etc/nginx/nginx.conf nginx:1.25-alpine'],
    ['--mount', 'docker run --mount type=bind,source="$(pwd)"/nginx.conf,target=/etc/nginx/nginx.conf,readonly nginx:1.25-alpine'],
    ['flags together', 'docker run -dit --name proxy -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf nginx:1.25-alpine'],
    ['podman', 'podman run -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf:Z docker.io/library/nginx:1.25-alpine'],
  ])('reads a bind mount written with %s', (_, command) => {
    const [run] = runsOf('run.sh', `#!/bin/sh\n${command}\n`);
    expect(run?.mounts).toEqual([['nginx.conf', '/etc/nginx/nginx.conf']]);
    expect(run?.image).toMatch(/nginx:1\.25-alpine$/);
  });

  it("joins continued lines, reads a README's shell blocks only, and reports the command's first line", () => {
    const readme = [
      '# Proxy',
      'Not run: docker run -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf nginx:1.19',
      '',
      '```bash',
      'docker build -t app .',
      'docker run -d --name proxy -p 80:80 \\',
      '  -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf:ro \\',
      '  -v $(pwd)/conf.d:/etc/nginx/conf.d \\',
      '  -e BACKEND=app:8000 \\',
      '  nginx:1.27-alpine',
      '```',
      '',
      '```python',
      'os.system("docker run -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf nginx:1.19")',
      '```',
    ].join('\n');
    expect(runsOf('README.md', readme)).toEqual([
      {
        line: 6,
        image: 'nginx:1.27-alpine',
        mounts: [
          ['nginx.conf', '/etc/nginx/nginx.conf'],
          ['conf.d', '/etc/nginx/conf.d'],
        ],
        environment: { BACKEND: 'app:8000' },
      },
    ]);
  });

  it("reads make's working folder, $(CURDIR)", () => {
    expect(runsOf('Makefile', 'up:\n\tdocker run -v $(CURDIR)/conf.d:/etc/nginx/conf.d nginx:stable\n')[0]?.mounts).toEqual([
      ['conf.d', '/etc/nginx/conf.d'],
    ]);
  });

  it.each([
    ['a named volume', 'docker run -v nginx-conf:/etc/nginx/conf.d nginx:1.27'],
    ['a path through a variable the shell sets', 'docker run -v $CONF_DIR/nginx.conf:/etc/nginx/nginx.conf nginx:1.27'],
    ['a path the repository does not hold', 'docker run -v $(pwd)/missing.conf:/etc/nginx/nginx.conf nginx:1.27'],
    ['an absolute host path', 'docker run -v /etc/letsencrypt:/etc/letsencrypt nginx:1.27'],
  ])('maps nothing for %s', (_, command) => {
    expect(runsOf('run.sh', `${command}\n`)[0]?.mounts).toEqual([]);
  });

  it('takes the first word after the options as the image, and none past an operator or through a variable', () => {
    expect(
      runsOf('run.sh', 'docker run -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf -p 8080:80 --restart always nginx:1.27 nginx -g "daemon off;"\n')[0]
        ?.image,
    ).toBe('nginx:1.27');
    expect(runsOf('run.sh', 'docker run -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf && echo done\n')).toEqual([]);
    expect(runsOf('run.sh', 'docker run -v $(pwd)/nginx.conf:/etc/nginx/nginx.conf $IMAGE\n')).toEqual([]);
  });
});
