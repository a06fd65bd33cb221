import { defineRule } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'include-cycle',
    description: 'Files that include each other; nginx recurses until it runs out of file descriptors or memory.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      cycle: '{{nginxMessage}}: break the cycle; nginx cannot load this configuration',
    },
  },
  check(context) {
    for (const problem of context.model.tree.problems) {
      if (problem.kind !== 'include-cycle') continue;
      context.report({
        node: problem.node,
        lineAt: problem.node.directive.terminatorStart,
        messageId: 'cycle',
        data: { nginxMessage: problem.message },
      });
    }
  },
});
