/**
 * Where a JSON Pointer points in a config file's text, so a config error names the line and column to edit and not
 * only the pointer. jsonc-parser keeps the offsets JSON.parse throws away; it is loaded only when there is an error.
 */
import type { ConfigProblem } from './errors.js';
import { positionAt } from '../syntax/ast.js';
import { lazyRequire } from '../lazy-require.js';

const jsonc = lazyRequire<typeof import('jsonc-parser')>('jsonc-parser');

function pointerSegments(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((token) => (/^\d+$/.test(token) ? Number(token) : token));
}

/** The problems with the position of the key (or array element) each pointer names, where it can be found. */
export function locateProblems(text: string, problems: readonly ConfigProblem[]): ConfigProblem[] {
  const root = jsonc().parseTree(text);
  if (!root) return [...problems];
  return problems.map((problem) => {
    if (problem.pointer === '' || problem.position) return problem;
    const node = jsonc().findNodeAtLocation(root, pointerSegments(problem.pointer));
    if (!node) return problem;
    // Point at the key of a property ("rulez": …), which is what the user looks for; at the value itself otherwise.
    const offset = node.parent?.type === 'property' ? node.parent.offset : node.offset;
    const { line, column } = positionAt({ path: '', text, directives: [], comments: [], errors: [], eol: '\n' }, offset);
    return { ...problem, position: { line, column } };
  });
}
