import { defineRule } from '../src/lint/rule.js';
import { semanticProblems } from '../src/model/semantics/index.js';

export default defineRule({
  meta: {
    id: 'undefined-reference',
    description:
      'A name used but never defined where nginx looks for it: a log format, a limit_req/limit_conn zone, a cache zone, or a certificate for listen ... ssl.',
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
      if (problem.ruleId !== 'undefined-reference') continue;
      const { node, token, message: nginxMessage, hint } = problem;
      const at = { node, ...(token ? { token } : {}), lineAt: problem.lineAt ?? node.directive.terminatorStart };
      if (hint) context.report({ ...at, messageId: 'withHint', data: { nginxMessage, hint } });
      else context.report({ ...at, messageId: 'invalid', data: { nginxMessage } });
    }
  },
});
