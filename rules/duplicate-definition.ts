import { defineRule } from '../src/lint/rule.js';
import { semanticProblems } from '../src/model/semantics/index.js';

export default defineRule({
  meta: {
    id: 'duplicate-definition',
    description:
      'Something defined twice where nginx allows it once: a listen address or its options, a default server, an upstream, a log format, a built-in variable redefined by set or map, a directive repeated in one block.',
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
      if (problem.ruleId !== 'duplicate-definition') continue;
      const { node, token, message: nginxMessage, hint } = problem;
      const at = { node, ...(token ? { token } : {}), lineAt: problem.lineAt ?? node.directive.terminatorStart };
      if (hint) context.report({ ...at, messageId: 'withHint', data: { nginxMessage, hint } });
      else context.report({ ...at, messageId: 'invalid', data: { nginxMessage } });
    }
  },
});
