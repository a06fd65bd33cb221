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
    },
    details: {
      notFound: "Relative include paths resolve against the main config's directory (nginx -p, or --prefix here), not against the including file.",
    },
  },
  check(context) {
    for (const problem of context.model.tree.problems) {
      if (problem.kind !== 'include-not-found') continue;
      context.report({
        node: problem.node,
        lineAt: problem.node.directive.terminatorStart,
        messageId: 'notFound',
        data: { nginxMessage: problem.message },
      });
    }
  },
});
