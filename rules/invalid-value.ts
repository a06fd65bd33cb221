import { defineRule } from '../src/lint/rule.js';
import { semanticProblems } from '../src/model/semantics/index.js';

export default defineRule({
  meta: {
    id: 'invalid-value',
    description:
      "An argument value nginx's directive handler rejects: a listen or upstream server parameter, a *_pass URL, a time or size, a return code, an if condition, a nested location outside its parent, an event method Linux lacks.",
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      invalid: '{{nginxMessage}}: nginx -t fails',
      withHint: '{{nginxMessage}}: nginx -t fails; {{hint}}',
    },
  },
  check(context) {
    for (const problem of semanticProblems(context.model)) {
      if (problem.ruleId !== 'invalid-value') continue;
      const { node, token, message: nginxMessage, hint } = problem;
      const at = { node, ...(token ? { token } : {}), lineAt: problem.lineAt ?? node.directive.terminatorStart };
      if (hint) context.report({ ...at, messageId: 'withHint', data: { nginxMessage, hint } });
      else context.report({ ...at, messageId: 'invalid', data: { nginxMessage } });
    }
  },
});
