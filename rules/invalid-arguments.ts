import { defineRule } from '../src/lint/rule.js';
import { structuralProblems } from '../src/model/structure.js';

export default defineRule({
  meta: {
    id: 'invalid-arguments',
    description: 'A directive with the wrong number of arguments, or a value other than on/off for a flag.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      invalid: '{{nginxMessage}}: nginx -t fails',
    },
  },
  check(context) {
    for (const { node, problem, ruleId } of structuralProblems(context.model)) {
      if (ruleId !== 'invalid-arguments') continue;
      context.report({ node, lineAt: node.directive.terminatorStart, messageId: 'invalid', data: { nginxMessage: problem.message } });
    }
  },
});
