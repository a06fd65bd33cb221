/**
 * Files of a container that the repository holds, for an app server's own configuration: read through the image's
 * COPYs, unless a `sed -i` of the build or start scripts may have changed the container's copy.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerFileReader, inPlaceEdits } from '../src/context/container-files.js';
import { temporaryTrees } from './helpers/files.js';

const tree = temporaryTrees();

describe('containerFileReader', () => {
  const root = tree({ 'docker/www.conf': '[www]\nlisten = 127.0.0.1:9000\n' });
  const mappings = [{ container: '/usr/local/etc/php-fpm.conf', repo: path.join(root, 'docker/www.conf'), origin: 'Dockerfile:4', copied: true }];
  const read = (script: string) =>
    containerFileReader(
      mappings,
      root,
      (file) => path.relative(root, file),
      () => inPlaceEdits(script),
    )('/usr/local/etc/php-fpm.conf');

  it('reads the file a COPY puts at the container path, named for evidence', () => {
    expect(read('')).toEqual({ text: '[www]\nlisten = 127.0.0.1:9000\n', name: 'docker/www.conf' });
  });

  it('takes for edited what a sed -i names from where it stands on its line, or names through a variable', () => {
    // pterodactyl/panel: the rm before the sed names the file, the sed edits nginx.conf.
    expect(
      read('RUN rm /usr/local/etc/php-fpm.conf \\\n  && sed -i s/ssl_session_cache/#ssl_session_cache/g /etc/nginx/nginx.conf\n'),
    ).not.toBeNull();
    expect(read('sed -i "s/127.0.0.1:9000/9001/" /usr/local/etc/php-fpm.conf\n')).toBeNull();
    // richarvey/nginx-php-fpm: the file through a variable, before another command.
    expect(read('sed -i -e "s/listen = 127.0.0.1:9000/listen = \\/var\\/run\\/php-fpm.sock/g" ${fpm_conf} && echo done\n')).toBeNull();
    // Not in place: sed writing elsewhere.
    expect(read('sed "s/9000/9001/" /usr/local/etc/php-fpm.conf > /tmp/out.conf\n')).not.toBeNull();
  });
});
