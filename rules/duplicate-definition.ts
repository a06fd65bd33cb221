import { defineRule } from '../src/lint/rule.js';
import { semanticReports } from '../src/model/semantics/index.js';

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
    for (const report of semanticReports(context.model, 'duplicate-definition')) context.report(report);
  },
});
