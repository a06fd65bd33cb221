import { defineRule } from '../src/lint/rule.js';
import { semanticReports } from '../src/model/semantics/index.js';

export default defineRule({
  meta: {
    id: 'module-not-loaded',
    description:
      'A directive of a dynamic module (lua, headers-more, njs, echo, upload-progress, brotli, geoip2, vts, image-filter, xslt, perl; stream and mail where they are files) that no load_module line or modules setting loads, or a module loaded before one it needs.',
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
    for (const report of semanticReports(context.model, 'module-not-loaded')) context.report(report);
  },
});
