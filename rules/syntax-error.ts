import { defineRule } from '../src/lint/rule.js';
import { structuralProblems } from '../src/model/structure.js';

export default defineRule({
  meta: {
    id: 'syntax-error',
    description: 'The file does not parse the way nginx reads it: a stray brace or semicolon, an unterminated quote or block, a missing `;`.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      unparsable: '{{nginxMessage}}: nginx -t stops here; the rest of this file is not checked',
      missingSemicolon: '{{nginxMessage}}: is a ";" missing before the next directive?',
      missingBrace: '{{nginxMessage}}: is a "{" missing, or a ";" where the block should start?',
      tooDeep: '{{nginxMessage}}',
    },
  },
  check(context) {
    for (const file of context.model.tree.program.files.values()) {
      for (const error of file.errors) {
        context.report({
          span: { file, start: error.start, end: error.end },
          lineAt: error.offset,
          messageId: 'unparsable',
          data: { nginxMessage: error.message },
        });
      }
    }
    for (const { node, problem, ruleId } of structuralProblems(context.model)) {
      if (ruleId !== 'syntax-error') continue;
      const messageId = problem.message.endsWith('is not terminated by ";"') ? 'missingSemicolon' : 'missingBrace';
      context.report({ node, lineAt: node.directive.terminatorStart, messageId, data: { nginxMessage: problem.message } });
    }
    for (const problem of context.model.tree.problems) {
      if (problem.kind === 'nesting-too-deep')
        context.report({
          node: problem.node,
          lineAt: problem.node.directive.terminatorStart,
          messageId: 'tooDeep',
          data: { nginxMessage: problem.message },
        });
    }
  },
});
