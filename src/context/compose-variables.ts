/**
 * Compose's variables: the project's `.env` and interpolation of `${NAME:-default}` in a Compose file's values, as
 * Compose does it.
 */
import path from 'node:path';
import { readRegularTextFile } from '../files.js';
import { lazyRequire } from '../lazy-require.js';

export const dotenv = lazyRequire<typeof import('dotenv')>('dotenv');

/** Env files larger than this are not read. */
export const MAX_ENV_FILE_BYTES = 256 * 1024;

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `$NAME` and `$$`, as Compose interpolates them. */
const COMPOSE_VARIABLE = /\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_]\w*)/g;

/**
 * A value of the Compose file as Compose interpolates it from the project's `.env` (`MAX_UPLOAD_MiB:
 * ${DATA_UPLOAD_MAX_MEMORY_MiB:-100}` is `100` when nothing sets the variable); null when it depends on a variable
 * only the shell can set, which nginx-lint cannot know.
 */
export function interpolate(written: string, variables: Readonly<Record<string, string>>): string | null {
  let unknown = false;
  const value = written.replace(
    COMPOSE_VARIABLE,
    (whole, braced: string | undefined, operator: string | undefined, operand: string | undefined, bare: string | undefined) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare)!;
      const known = variables[name];
      const empty = known === undefined || (operator?.startsWith(':') === true && known === '');
      if (operator?.endsWith('-')) return empty ? operand! : known!;
      if (operator?.endsWith('+')) return empty ? '' : operand!;
      if (known === undefined) unknown = true;
      return known ?? '';
    },
  );
  return unknown ? null : value;
}

/** The variables of the project's `.env` beside the Compose file, which Compose reads for interpolation. */
export function projectVariables(composeDir: string): Record<string, string> {
  try {
    return dotenv().parse(readRegularTextFile(path.join(composeDir, '.env'), MAX_ENV_FILE_BYTES));
  } catch {
    return {};
  }
}
