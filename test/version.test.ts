import { describe, expect, it, vi } from 'vitest';
import {
  compareNginxVersions,
  DEFAULT_NGINX_VERSION,
  parseVersionRange,
  resolveNginxVersion,
  satisfies,
  versionFromDistributionImage,
  versionFromImageTag,
  versionFromNginxV,
} from '../src/nginx/version.js';

describe('compareNginxVersions', () => {
  it('orders by number, not by text', () => {
    expect(compareNginxVersions('1.9.2', '1.22.1')).toBeLessThan(0);
    expect(compareNginxVersions('1.29.10', '1.29.7')).toBeGreaterThan(0);
    expect(compareNginxVersions('2.0.0', '1.99.99')).toBeGreaterThan(0);
    expect(compareNginxVersions('1.29.7', '1.29.7')).toBe(0);
  });

  it('rejects anything but major.minor.patch', () => {
    expect(() => compareNginxVersions('1.29', '1.29.7')).toThrow(/invalid nginx version "1\.29"/);
    expect(() => compareNginxVersions('1.29.7', 'nginx/1.29.7')).toThrow(RangeError);
  });
});

describe('satisfies', () => {
  it('treats space-separated comparators as all required', () => {
    expect(satisfies('1.29.7', '>=1.29.7 <2.0.0')).toBe(true);
    expect(satisfies('1.29.6', '>=1.29.7 <2.0.0')).toBe(false);
    expect(satisfies('2.0.0', '>=1.29.7 <2.0.0')).toBe(false);
    expect(satisfies('1.22.1', '>=1.9.13 <1.29.7')).toBe(true);
  });

  it('supports every operator, a bare version meaning equality', () => {
    expect(satisfies('1.28.0', '>1.27.5')).toBe(true);
    expect(satisfies('1.27.5', '>1.27.5')).toBe(false);
    expect(satisfies('1.27.5', '<=1.27.5')).toBe(true);
    expect(satisfies('1.27.5', '=1.27.5')).toBe(true);
    expect(satisfies('1.27.5', '1.27.5')).toBe(true);
    expect(satisfies('1.27.6', '1.27.5')).toBe(false);
  });

  it('fails loudly on a malformed range instead of matching nothing', () => {
    expect(() => parseVersionRange('>= 1.29.7')).toThrow(/cannot read ">="/);
    expect(() => satisfies('1.29.7', '>=1.29')).toThrow(RangeError);
    expect(() => parseVersionRange('^1.29.7')).toThrow(RangeError);
  });
});

describe('versionFromNginxV', () => {
  it('reads the version nginx -v prints, distribution suffix and all', () => {
    expect(versionFromNginxV('nginx version: nginx/1.22.1\n')).toBe('1.22.1');
    expect(versionFromNginxV('nginx version: nginx/1.24.0 (Ubuntu)\n')).toBe('1.24.0');
  });

  it('reads the nginx core of an OpenResty bundle version', () => {
    expect(versionFromNginxV('nginx version: openresty/1.25.3.1\n')).toBe('1.25.3');
  });

  it('gives up on forks that number their own releases', () => {
    expect(versionFromNginxV('nginx version: freenginx/1.27.2\n')).toBeNull();
    expect(versionFromNginxV('')).toBeNull();
  });
});

describe('resolveNginxVersion', () => {
  const image = { version: '1.27.5', origin: 'compose.yaml:3 image nginx:1.27-alpine' };

  it('prefers the configured version, then the image, and never asks the installed nginx unless told to', () => {
    const detect = vi.fn(() => '1.22.1');
    expect(resolveNginxVersion('1.29.7', image, detect)).toMatchObject({ version: '1.29.7', source: 'configured', explicit: true });
    expect(resolveNginxVersion(undefined, image, detect)).toMatchObject({ version: '1.27.5', source: 'image', origin: image.origin });
    expect(resolveNginxVersion(undefined, null, detect)).toMatchObject({ version: DEFAULT_NGINX_VERSION, source: 'default', explicit: false });
    expect(detect).not.toHaveBeenCalled();
  });

  it('asks the installed nginx for --nginx-version host, and says when there is none', () => {
    expect(resolveNginxVersion('host', null, () => '1.22.1')).toMatchObject({ version: '1.22.1', source: 'detected', explicit: true });
    expect(resolveNginxVersion('host', null, () => null)).toMatchObject({ version: DEFAULT_NGINX_VERSION, source: 'default', explicit: false });
  });

  it('rejects a malformed configured version', () => {
    expect(() => resolveNginxVersion('1.29', null, () => null)).toThrow(/invalid nginx version "1\.29"/);
  });
});

describe('versionFromDistributionImage', () => {
  it.each([
    ['ubuntu:18.04', '1.14.0'],
    ['ubuntu:22.04', '1.18.0'],
    ['docker.io/library/ubuntu:noble-20240429', '1.24.0'],
    ['debian:12', '1.22.1'],
    ['debian:12.5-slim', '1.22.1'],
    ['debian:bullseye-slim', '1.18.0'],
    ['python:3.12-slim-bookworm', '1.22.1'],
    ['phusion/baseimage:focal-1.0.0', '1.18.0'],
    ['phusion/baseimage:0.11', '1.14.0'],
    ['debian:trixie', '1.26.3'],
    ['ubuntu:jammy', '1.18.0'],
    ['node:20.11-bullseye-slim', '1.18.0'],
    ['node:20-alpine3.19', '1.24.0'],
    ['alpine:3.20', '1.26.3'],
    ['php:8.2-fpm-alpine3.21', '1.26.3'],
    ['ghcr.io/linuxserver/baseimage-alpine:3.22', '1.28.0'],
    ['alpine:3.23', '1.28.0'],
    ['python:3.13-alpine3.23', '1.28.0'],
  ])('%s ships nginx %s', (image, version) => {
    expect(versionFromDistributionImage(image)?.version).toBe(version);
  });

  it('assumes nothing from a tag that names no release', () => {
    for (const image of [
      'ubuntu',
      'ubuntu:latest',
      'debian:stable-slim',
      'alpine:edge',
      'alpine:3.17',
      'php:8.3-fpm',
      'phusion/baseimage:0.9.22',
      'python:3.12',
      'python:3.12-slim',
      'node:13',
    ])
      expect(versionFromDistributionImage(image), image).toBeNull();
  });
});

describe('versionFromImageTag', () => {
  it.each([
    ['nginx:1.27.3', '1.27.3', false],
    ['nginx:1.27.3-alpine', '1.27.3', false],
    ['nginx:1.27-alpine', '1.27.5', false],
    ['nginx:1.25', '1.25.5', false],
    ['docker.io/library/nginx:1.22-alpine-slim', '1.22.1', false],
    ['nginxinc/nginx-unprivileged:1.26-alpine', '1.26.3', false],
    ['nginx:latest', DEFAULT_NGINX_VERSION, true],
    ['nginx', DEFAULT_NGINX_VERSION, true],
    ['nginx:stable-alpine', DEFAULT_NGINX_VERSION, true],
  ])('%s runs %s', (image, version, noted) => {
    const found = versionFromImageTag(image);
    expect(found?.version).toBe(version);
    expect(found?.note !== null).toBe(noted);
  });

  it('assumes nothing from a tag that names no version', () => {
    expect(versionFromImageTag('nginx@sha256:0123abcd')).toMatchObject({ version: DEFAULT_NGINX_VERSION });
    expect(versionFromImageTag('registry.example.com/edge-proxy:prod')).toBeNull();
  });
});
