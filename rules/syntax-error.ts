import { defineRule } from '../src/lint/rule.js';
import { structuralProblems } from '../src/model/structure.js';
import { positionAt } from '../src/syntax/ast.js';
import { missingSemicolonIn } from '../src/syntax/parser.js';

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
      missingSemicolon: '{{nginxMessage}} at line {{nginxLine}}: the ";" after {{lastWord}} is missing',
      notTerminated: '{{nginxMessage}}: is a ";" missing before the next directive?',
      missingBrace: '{{nginxMessage}}: is a "{" missing, or a ";" where the block should start?',
      insertSemicolon: 'insert ";" after {{lastWord}}',
      tooDeep: '{{nginxMessage}}',
    },
  },
  check(context) {
    for (const file of context.model.tree.program.files.values()) {
      for (const error of file.errors) {
        if (error.missingSemicolon === undefined) {
          context.report({
            span: { file, start: error.start, end: error.end },
            lineAt: error.offset,
            messageId: 'unparsable',
            data: { nginxMessage: error.message },
          });
          continue;
        }
        // Where the `;` belongs, with nginx's own line in the message: nginx reads on to the `}` or the end of file.
        const { at } = error.missingSemicolon;
        const lastWord = JSON.stringify(error.missingSemicolon.after);
        context.report({
          span: { file, start: at, end: at },
          messageId: 'missingSemicolon',
          data: { nginxMessage: error.message, nginxLine: positionAt(file, error.offset).line, lastWord },
          suggestions: [{ messageId: 'insertSemicolon', data: { lastWord }, changes: [{ file, start: at, end: at, text: ';' }] }],
        });
      }
    }
    for (const { node, problem, ruleId } of structuralProblems(context.model)) {
      if (ruleId !== 'syntax-error') continue;
      const { directive } = node;
      const nginxMessage = problem.message;
      if (!nginxMessage.endsWith('is not terminated by ";"')) {
        context.report({ node, lineAt: directive.terminatorStart, messageId: 'missingBrace', data: { nginxMessage } });
        continue;
      }
      const missing = missingSemicolonIn(directive);
      if (missing === null) {
        context.report({ node, lineAt: directive.terminatorStart, messageId: 'notTerminated', data: { nginxMessage } });
        continue;
      }
      const { at } = missing;
      const lastWord = JSON.stringify(missing.after);
      context.report({
        node,
        span: { file: directive.file, start: at, end: at },
        messageId: 'missingSemicolon',
        data: { nginxMessage, nginxLine: positionAt(directive.file, directive.terminatorStart).line, lastWord },
        suggestions: [{ messageId: 'insertSemicolon', data: { lastWord }, changes: [{ file: directive.file, start: at, end: at, text: ';' }] }],
      });
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
