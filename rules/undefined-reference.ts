import { defineRule } from '../src/lint/rule.js';
import { semanticReports } from '../src/model/semantics/index.js';

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
    for (const report of semanticReports(context.model, 'undefined-reference')) context.report(report);
  },
});
