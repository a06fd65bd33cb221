import { defineRule } from '../src/lint/rule.js';
import { structuralProblems } from '../src/model/structure.js';

export default defineRule({
  meta: {
    id: 'directive-not-allowed-here',
    description: 'A directive in a block where nginx does not accept it (a `proxy_pass` in `server`, a `listen` in `location`).',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      notAllowed: '{{nginxMessage}}{{where}}: nginx -t fails; move it into a block that accepts it',
    },
  },
  check(context) {
    for (const { node, problem, ruleId } of structuralProblems(context.model)) {
      if (ruleId !== 'directive-not-allowed-here') continue;
      const where = node.context ? ` (it is in ${node.context.replace(/-/g, ' ')} context)` : '';
      context.report({
        node,
        lineAt: node.directive.terminatorStart,
        messageId: 'notAllowed',
        data: { nginxMessage: problem.message, where },
      });
    }
  },
});
