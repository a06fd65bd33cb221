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
      unmapped: '{{path}} is not in the repository: mount it into the nginx service, or map it with --path-map {{path}}=DIR',
    },
    details: {
      unmapped:
        "nginx runs this configuration in a container, where {{path}} holds whatever the image or a mount puts there. nginx-lint does not read this machine's own {{path}} for a repository's config. If the file is in the repository, mount it in the nginx service's Compose volumes (or a Kubernetes ConfigMap volume), or tell nginx-lint with --path-map CONTAINER=REPO or the pathMap config key; if it comes from the image, nothing is checked there.",
      notFound: "Relative include paths resolve against the main config's directory (nginx -p, or --prefix here), not against the including file.",
    },
  },
  check(context) {
    for (const problem of context.model.tree.problems) {
      if (problem.kind !== 'include-not-found') continue;
      const at = { node: problem.node, lineAt: problem.node.directive.terminatorStart };
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
