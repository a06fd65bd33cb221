/**
 * nginx config written by a shell here-document (a Compose service's `cat <<EOF > /etc/nginx/nginx.conf`) goes
 * through Compose's interpolation and the shell's expansion before nginx reads it. An nginx variable that is not
 * escaped for both (`\$$host`) is replaced by an environment variable of that name, which is unset: nginx reads
 * nothing where `$host` was written, or, under `sh -u`, the shell stops and the container never starts.
 */
import { defineRule } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'heredoc-variable-expanded',
    description:
      'An nginx variable in config a shell here-document writes is expanded by Compose or the shell to nothing before nginx reads it: write it `\\$$name`.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      expanded: '{{written}} is expanded by {{expander}} to nothing before nginx reads this file; write \\$${{name}}',
    },
    details: {
      expanded:
        'This config is the body of a shell here-document. {{how}} No environment variable {{name}} is set, so nginx reads nothing where {{written}} stands: a directive left without its argument fails nginx -t ("invalid number of arguments"), and one that keeps others silently does something else (`proxy_pass http://app$request_uri` becomes `proxy_pass http://app`). Under `sh -u` (`sh -euc`) the shell stops instead with "{{name}}: parameter not set", and the container exits before nginx starts. Written \\$${{name}}, Compose leaves \\${{name}} and the shell a literal ${{name}} for nginx; or quote the delimiter (`<<\'EOF\'`) so the shell expands nothing, and write $${{name}} for Compose alone.',
    },
  },
  check({ model, report }) {
    for (const file of model.tree.program.files.values()) {
      for (const { start, written } of file.expandedAway ?? []) {
        const name = written.replace(/^\$+\{?/, '').replace(/[^\w].*$/, '');
        const byCompose = !written.startsWith('$$');
        report({
          span: { file, start, end: start },
          messageId: 'expanded',
          data: {
            written,
            name,
            expander: byCompose ? 'Compose' : 'the shell',
            how: byCompose
              ? `Compose interpolates ${written} in the Compose file from the environment of whoever runs docker compose (or the project's .env) before the container starts.`
              : `Compose turns ${written} into ${written.slice(1)}, which the shell expands from the container's environment as it writes the file (the delimiter is not quoted).`,
          },
        });
      }
    }
  },
});
