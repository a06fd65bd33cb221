import { defineRule } from '../src/lint/rule.js';
import { structuralProblems } from '../src/model/structure.js';

export default defineRule({
  meta: {
    id: 'unknown-directive',
    description: 'A directive nginx does not know: a typo, a module that is not built in, or a directive added or removed in another nginx version.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    // The did-you-mean rename is a guess, so it is offered as a suggestion and never applied by --fix.
    fixable: false,
    messages: {
      didYouMean: '{{nginxMessage}}: did you mean "{{suggestion}}"?',
      tooNew: '{{nginxMessage}}: it appeared in nginx {{addedIn}}; set nginxVersion if you run a newer nginx',
      removed: '{{nginxMessage}}: nginx removed it in {{removedIn}}',
      unknown: '{{nginxMessage}}: check the spelling, or load the module that provides it',
      rename: 'Rename to "{{suggestion}}"',
    },
  },
  check(context) {
    for (const { node, problem, ruleId } of structuralProblems(context.model)) {
      if (ruleId !== 'unknown-directive') continue;
      const { directive } = node;
      const nginxMessage = problem.message;
      const at = { node, token: directive.nameToken, lineAt: directive.terminatorStart };
      if (problem.suggestion) {
        const data = { nginxMessage, suggestion: problem.suggestion };
        const changes = [{ file: directive.file, start: directive.nameToken.start, end: directive.nameToken.end, text: problem.suggestion }];
        context.report({ ...at, messageId: 'didYouMean', data, suggestions: [{ messageId: 'rename', data, changes }] });
      } else if (problem.addedIn) {
        context.report({ ...at, messageId: 'tooNew', data: { nginxMessage, addedIn: problem.addedIn } });
      } else if (problem.removedIn) {
        context.report({ ...at, messageId: 'removed', data: { nginxMessage, removedIn: problem.removedIn } });
      } else {
        context.report({ ...at, messageId: 'unknown', data: { nginxMessage } });
      }
    }
  },
});
