import { defineRule } from '../src/lint/rule.js';
import { semanticReports } from '../src/model/semantics/index.js';

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
    for (const report of semanticReports(context.model, 'unknown-variable')) context.report(report);
  },
});
