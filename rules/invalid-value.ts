import { defineRule } from '../src/lint/rule.js';
import { semanticReports } from '../src/model/semantics/index.js';

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
    for (const report of semanticReports(context.model, 'invalid-value')) context.report(report);
  },
});
