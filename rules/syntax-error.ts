import { defineRule } from '../src/rule.js';

export default defineRule({
  meta: {
    id: 'syntax-error',
    description: 'The file does not parse the way nginx reads it: a stray brace or semicolon, an unterminated quote or block, a missing `;`.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
  },
  check(context) {
    for (const file of context.model.tree.program.files.values()) {
      for (const error of file.errors) {
        context.report({
          span: { file, start: error.start, end: error.end },
          lineAt: error.offset,
          message: `${error.message} — nginx -t stops here; the rest of this file is not checked`,
        });
      }
    }
    for (const problem of context.model.tree.problems) {
      if (problem.kind === 'nesting-too-deep') context.report({ node: problem.node, lineAt: problem.node.directive.terminatorStart, message: problem.message });
    }
  },
});
