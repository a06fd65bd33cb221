/**
 * Templates the official nginx image renders at start-up: its entrypoint runs `envsubst` over
 * `/etc/nginx/templates/*.template` and writes the result, without the suffix, to `/etc/nginx/conf.d`. envsubst is
 * given the names of the variables the container defines, so `${NGINX_HOST}` is replaced while nginx's own `$host`
 * stays. nginx-lint renders a template the same way with the environment the Compose service states; a placeholder
 * it has no value for becomes a neutral word (its name in lower case), so it cannot cause a syntax error or pass for
 * an nginx variable. A rendered file is never fixed: a fix would be written over the placeholders.
 */
export const TEMPLATE_SUFFIX = '.template';

/** `${NAME}` or `$NAME`, as envsubst reads them. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
/** Environment variables are upper case by convention; nginx's variables are lower case. */
const ENVIRONMENT_NAME = /^[A-Z_][A-Z0-9_]*$/;

export function isTemplate(filePath: string): boolean {
  return filePath.endsWith(TEMPLATE_SUFFIX);
}

export function renderTemplate(text: string, environment: Readonly<Record<string, string>>): string {
  return text.replace(REFERENCE, (reference, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = environment[name];
    if (value !== undefined) return value;
    // Unknown here but surely defined in the container (an env_file, the shell): a neutral word of the same length
    // class. Bare `$NAME` is left alone unless known: `$host` and `$HOST` may both be nginx variables.
    return braced !== undefined && ENVIRONMENT_NAME.test(name) ? name.toLowerCase() : reference;
  });
}
