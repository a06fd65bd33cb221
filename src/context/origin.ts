import path from 'node:path';
import type { FactOrigin } from './types.js';

/**
 * Builds the origins of facts. Labels name files relative to the nginx config's directory: a finding is shown at a
 * line of that config, so a path from there is one the reader can follow, and it does not change with the directory
 * the linter runs in.
 */
export class OriginFactory {
  constructor(private readonly baseDir: string) {}

  /** A position in a YAML file. */
  yaml(file: string, line: number): FactOrigin {
    return { file, line, keyPath: null, label: `${this.displayPath(file)}:${line}` };
  }

  /** A whole file, for problems that have no line (it cannot be read, a glob matches nothing). */
  file(file: string): FactOrigin {
    return { file, line: null, keyPath: null, label: this.displayPath(file) };
  }

  /** A key of the linter config, such as `services.api.port`. */
  configKey(file: string, keyPath: string): FactOrigin {
    return { file, line: null, keyPath, label: `${this.displayPath(file)} ${keyPath}` };
  }

  private displayPath(file: string): string {
    return path.relative(this.baseDir, file).split(path.sep).join('/');
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `services.api.port`, `services["my.api"].ports[1]`: the JavaScript spelling, unambiguous for any key. */
export function keyPath(...segments: readonly (string | number)[]): string {
  return segments
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (IDENTIFIER.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}
