import { defineRule } from '../src/lint/rule.js';
import { semanticProblems } from '../src/model/semantics/index.js';

export default defineRule({
  meta: {
    id: 'unknown-variable',
    description:
      'A variable no module, set, map, geo, split_clients, perl_set, js_set or regex capture defines: nginx refuses to start with unknown "name" variable.',
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
      if (problem.ruleId !== 'unknown-variable') continue;
      const { node, token, message: nginxMessage, hint } = problem;
      const at = { node, ...(token ? { token } : {}), lineAt: problem.lineAt ?? node.directive.terminatorStart };
      if (hint) context.report({ ...at, messageId: 'withHint', data: { nginxMessage, hint } });
      else context.report({ ...at, messageId: 'invalid', data: { nginxMessage } });
    }
  },
});
