import { defineRule } from '../src/rule.js';
import { structuralProblems } from '../src/structure.js';

export default defineRule({
  meta: {
    id: 'invalid-arguments',
    description: 'A directive with the wrong number of arguments, a value other than on/off for a flag, or `;` where a block is required (a missing `;` before `{` lands here).',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
  },
  check(context) {
    for (const { node, problem } of structuralProblems(context.model)) {
      if (problem.kind !== 'invalid-arguments') continue;
      const missingSemicolon =
        problem.message.endsWith('is not terminated by ";"') && node.directive.args.length > 0
          ? ' — is a ";" missing before the next directive?'
          : ' — nginx -t fails';
      context.report({ node, lineAt: node.directive.terminatorStart, message: `${problem.message}${missingSemicolon}` });
    }
  },
});
