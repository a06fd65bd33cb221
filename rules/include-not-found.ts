import { defineRule } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'include-not-found',
    description: 'An `include` of a plain file that does not exist or cannot be read; nginx refuses to start.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      notFound: '{{nginxMessage}}: nginx refuses to start',
      outside:
        '{{path}} leads outside the project root {{root}}: not read, so not checked; name it on the command line, map it with --path-map, or set --root',
      unmapped: '{{path}} is not in the repository: mount it into the nginx service, or map it with --path-map {{path}}=DIR',
      renderedElsewhere:
        '{{path}} resolves against the conf folder of the nginx this template is rendered for, which the repository does not say: not checked',
    },
    details: {
      outside:
        'In a repository (a folder holding .git, or --root) nginx-lint reads only files whose real path is inside it: an absolute include, a ../ path or a symbolic link out of the checkout is not read, so that a pull request cannot make CI print or rewrite files elsewhere (docs/security.md). Nothing is known about the file, and nothing from it is printed.',
      unmapped:
        "nginx runs this configuration in a container, where {{path}} holds whatever the image or a mount puts there. nginx-lint does not read this machine's own {{path}} for a repository's config. If the file is in the repository, mount it in the nginx service's Compose volumes (or a Kubernetes ConfigMap volume), or tell nginx-lint with --path-map CONTAINER=REPO or the pathMap config key; if it comes from the image, nothing is checked there.",
      renderedElsewhere:
        'A start script renders this template into the container (gomplate, tpl, envsubst, an app writing per-site files), and nginx resolves a relative include against the folder of its main config (its conf prefix), not against the including file; the files there may be rendered too. Nothing in the repository (a Compose volume, a Dockerfile COPY, a pathMap) says which nginx reads the rendered file, and {{path}} is in no copy of /etc/nginx in the repository, so it was not looked for. Name the rendered path with --path-map or the pathMap config key to have it checked.',
      notFound: "Relative include paths resolve against the main config's directory (nginx -p, or --prefix here), not against the including file.",
    },
  },
  check(context) {
    for (const problem of context.model.tree.problems) {
      if (problem.kind !== 'include-not-found') continue;
      const at = { node: problem.node, lineAt: problem.node.directive.terminatorStart };
      if (problem.outside !== undefined) {
        // Unknown, not missing: the file may exist where nginx runs. A warning that says what was not checked.
        context.report({
          ...at,
          severity: 'warn',
          messageId: 'outside',
          data: { path: problem.outside.path, root: problem.outside.root },
        });
        continue;
      }
      if (problem.renderedElsewhere) {
        context.report({ ...at, severity: 'warn', messageId: 'renderedElsewhere', data: { path: problem.node.directive.args[0]!.value } });
        continue;
      }
      if (problem.unmapped) {
        // Not known to fail: the file may well exist in the container. A warning, so the gap is visible.
        context.report({ ...at, severity: 'warn', messageId: 'unmapped', data: { path: problem.node.directive.args[0]!.value } });
        continue;
      }
      context.report({
        ...at,
        messageId: 'notFound',
        data: { nginxMessage: problem.message },
      });
    }
  },
});
