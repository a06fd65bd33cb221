/**
 * The configuration as nginx assembles it: every `include` spliced in where it stands, every statement tagged with
 * the context it is in. The same file included from two places yields two sets of nodes, each in its own context,
 * because nginx parses it again each time.
 */
import type { Directive, SourceFile } from '../syntax/ast.js';
import { argumentCount, argumentRaw } from '../syntax/parser.js';
import { type BlockContext, childContext, blockBodyOf } from '../nginx/directives.js';
import type { IncludeResolution, Program } from './program.js';

export interface ConfigNode {
  readonly directive: Directive;
  /** The context the statement is in; null inside bodies that hold no directives (`map`, `types`, `geo`, …). */
  readonly context: BlockContext | null;
  /** The context the block opens, when it opens one that holds directives. */
  readonly blockContext: BlockContext | null;
  readonly parent: ConfigNode | null;
  /**
   * Statements of the block, includes spliced in after the `include` statement that brought them. Statements
   * without any share one frozen empty array.
   */
  readonly children: ConfigNode[];
  /** The `include` statement through which this node's file was entered, or null for the entry file. */
  readonly includedBy: ConfigNode | null;
}

export type TreeProblemKind = 'include-not-found' | 'include-cycle' | 'nesting-too-deep';

export interface TreeProblem {
  readonly kind: TreeProblemKind;
  readonly message: string;
  /** An include of a container path nothing in the repository maps: unknown rather than missing. */
  readonly unmapped?: boolean;
  /** A relative include in a template rendered where the repository does not say. */
  readonly renderedElsewhere?: boolean;
  /** An include of a file outside the project root, not read (file-access.ts): which, and the root. */
  readonly outside?: { readonly path: string; readonly root: string };
  /** The `include` statement, or the block nested too deep. */
  readonly node: ConfigNode;
}

export interface ConfigTree {
  readonly program: Program;
  readonly rootContext: BlockContext;
  readonly roots: ConfigNode[];
  readonly problems: TreeProblem[];
  /**
   * The `include` statement through which each included file is first read. nginx stops at a syntax error the first
   * time it reads the file, so that inclusion is the one to name for findings that have no statement of their own.
   */
  readonly firstInclusion: ReadonlyMap<SourceFile, ConfigNode>;
}

/**
 * Deeper nesting than this is never a real configuration; stopping here keeps every recursive consumer of the tree
 * (model, rules) far from the JavaScript stack limit on hostile input.
 */
export const MAX_NESTING_DEPTH = 200;

/**
 * Most statements have no children: sharing one array saves an object per statement of a large configuration. It is
 * frozen so that code pushing into a statement's children fails instead of giving every statement that child.
 */
const NO_CHILDREN = Object.freeze([]) as unknown as ConfigNode[];

type NodeDraft = { -readonly [K in keyof ConfigNode]: ConfigNode[K] };

const CONTEXT_PRAGMA = /^\s*nginx-lint\s+context\s*[:=]\s*([a-z-]+)\s*$/;

/** The `# nginx-lint context: server` pragma of a snippet file, if it has one. */
export function contextPragma(file: SourceFile): string | null {
  for (const comment of file.comments) {
    const match = CONTEXT_PRAGMA.exec(comment.text);
    if (match) return match[1]!;
  }
  return null;
}

export function buildTree(program: Program, rootContext: BlockContext): ConfigTree {
  const problems: TreeProblem[] = [];
  const fileStack: SourceFile[] = [program.entry];
  const firstInclusion = new Map<SourceFile, ConfigNode>();

  /**
   * The nodes built so far whose block is still open, in order: each block's children are pushed here and copied out
   * when it is done, so a block's statements need no array of their own that grows and is then copied. `top` is the
   * length in use; entries above it are stale.
   */
  const open: ConfigNode[] = [];
  let top = 0;

  const build = (
    directives: readonly Directive[],
    context: BlockContext | null,
    parent: ConfigNode | null,
    includedBy: ConfigNode | null,
    depth: number,
  ): void => {
    // An index loop: `for … of` over the tree's 700,000 statements made an iterator result for each.
    for (let index = 0; index < directives.length; index++) {
      const directive = directives[index]!;
      // Read once: a parsed statement makes `children` on each read.
      const children = directive.children;
      const opened = children !== null && context !== null ? childContext(directive.name, context) : null;
      const hasChildren = children !== null && children.length > 0;
      const node: NodeDraft = { directive, context, blockContext: opened, parent, children: NO_CHILDREN, includedBy };
      open[top++] = node;

      if (hasChildren) {
        if (depth >= MAX_NESTING_DEPTH) {
          node.children = [];
          problems.push({
            kind: 'nesting-too-deep',
            message: `blocks are nested more than ${MAX_NESTING_DEPTH} deep; the inner blocks are not analysed`,
            node,
          });
          continue;
        }
        const bodyHoldsDirectives = context !== null && blockBodyOf(directive.name, context) !== 'custom';
        const first = top;
        build(children, bodyHoldsDirectives ? opened : null, node, includedBy, depth + 1);
        node.children = open.slice(first, top);
        top = first;
      }

      // Only `include` statements are keys; the name test spares a map lookup for every other statement.
      const resolution = directive.name === 'include' ? program.includes.get(directive) : undefined;
      if (resolution) spliceInclude(resolution, node, context, parent, depth);
    }
  };

  const spliceInclude = (
    resolution: IncludeResolution,
    includeNode: ConfigNode,
    context: BlockContext | null,
    parent: ConfigNode | null,
    depth: number,
  ): void => {
    if (resolution.error) {
      problems.push({
        kind: 'include-not-found',
        message: resolution.error,
        node: includeNode,
        ...(resolution.unmapped ? { unmapped: true } : {}),
        ...(resolution.renderedElsewhere ? { renderedElsewhere: true } : {}),
        ...(resolution.outside !== undefined ? { outside: resolution.outside } : {}),
      });
    }
    for (const target of resolution.files) {
      const cycleStart = fileStack.indexOf(target);
      if (cycleStart !== -1) {
        const chain = [...fileStack.slice(cycleStart), target].map((file) => file.path).join(' → ');
        problems.push({ kind: 'include-cycle', message: `include cycle: ${chain}`, node: includeNode });
        continue;
      }
      if (!firstInclusion.has(target)) firstInclusion.set(target, includeNode);
      fileStack.push(target);
      build(target.directives, context, parent, includeNode, depth);
      fileStack.pop();
    }
  };

  build(program.entry.directives, rootContext, null, null, 0);
  const roots = open.slice(0, top);
  return { program, rootContext, roots, problems, firstInclusion };
}

/** Visits every node depth-first in source order (includes already spliced in). */
export function walkTree(nodes: readonly ConfigNode[], visit: (node: ConfigNode) => void): void {
  const stack: ConfigNode[] = [...nodes].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    for (let index = node.children.length - 1; index >= 0; index--) stack.push(node.children[index]!);
  }
}

/** Whether `node` lies inside `ancestor` (somewhere below it, not the block itself). */
export function liesWithin(node: ConfigNode, ancestor: ConfigNode): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) if (parent === ancestor) return true;
  return false;
}

/** The `include` statements that led to a node, outermost first. */
export function includeChain(node: ConfigNode): ConfigNode[] {
  const chain: ConfigNode[] = [];
  for (let include = node.includedBy; include; include = include.includedBy) chain.unshift(include);
  return chain;
}

/** The statement as written, without its `;` or block, for messages: `location /api/`, `keepalive 16 local`. */
export function statementText(node: ConfigNode): string {
  // Messages quote statements for every finding: no tokens, and no array of words made to join them.
  const { directive } = node;
  let text = directive.name;
  const count = argumentCount(directive);
  for (let index = 0; index < count; index++) text += ' ' + argumentRaw(directive, index);
  return text;
}
