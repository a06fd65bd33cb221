import { defineRule } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'include-not-found',
    description: 'An `include` of a plain file that does not exist or cannot be read; nginx refuses to start.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
  },
  check(context) {
    for (const problem of context.model.tree.problems) {
      if (problem.kind !== 'include-not-found') continue;
      context.report({
        node: problem.node,
        lineAt: problem.node.directive.terminatorStart,
        message: `${problem.message} — relative paths resolve against the main config's directory (nginx -p / --prefix), not the including file`,
      });
    }
  },
});
