import { defineRule } from '../src/lint/rule.js';
import { structuralProblems } from '../src/model/structure.js';

export default defineRule({
  meta: {
    id: 'unknown-directive',
    description: 'A directive nginx does not know: a typo, a module that is not built in, or a directive added or removed in another nginx version.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
  },
  check(context) {
    for (const { node, problem, ruleId } of structuralProblems(context.model)) {
      if (ruleId !== 'unknown-directive') continue;
      const { directive } = node;
      let advice = '';
      if (problem.suggestion) advice = ` — did you mean "${problem.suggestion}"?`;
      else if (problem.addedIn) advice = ` — it appeared in nginx ${problem.addedIn}; set nginxVersion if you run a newer nginx`;
      else if (problem.removedIn) advice = ` — nginx removed it in ${problem.removedIn}`;
      else advice = ' — check the spelling, or load the module that provides it';
      context.report({
        node,
        token: directive.nameToken,
        lineAt: directive.terminatorStart,
        message: `${problem.message}${advice}`,
        fix: problem.suggestion
          ? [{ file: directive.file, start: directive.nameToken.start, end: directive.nameToken.end, text: problem.suggestion }]
          : undefined,
      });
    }
  },
});
