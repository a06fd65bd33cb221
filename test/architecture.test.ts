/**
 * The layout is the pipeline (docs/architecture.md): each folder of src/ is one stage, and a stage imports only from
 * itself and the stages before it. Rules stand alone: a rule module imports no other rule module. Checked on the
 * real import declarations (ts-morph), so a move that runs an import back up the pipeline fails here.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Project, type SourceFile } from 'ts-morph';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..');

/** Stage of each folder (or loose module) of src/, in pipeline order; equal ranks may not import each other. */
const STAGES: Readonly<Record<string, number>> = {
  'lazy-require': 0,
  'import-module': 0,
  files: 0,
  'package-info': 0,
  wording: 0,
  data: 0,
  nginx: 1,
  syntax: 1,
  config: 2,
  load: 2,
  context: 3,
  model: 4,
  lint: 5,
  fix: 6,
  report: 7,
  run: 8,
  lsp: 9,
  cli: 9,
  index: 10,
};

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

function stageOf(relative: string): string {
  const [first, second] = relative.split('/');
  if (first !== 'src') return first!;
  return second!.replace(/\.(ts|js|json)$/, '');
}

function importEdges(): Edge[] {
  const project = new Project({ tsConfigFilePath: path.join(repoRoot, 'tsconfig.json'), skipAddingFilesFromTsConfig: true });
  project.addSourceFilesAtPaths([
    path.join(repoRoot, 'src/**/*.ts'),
    path.join(repoRoot, 'rules/*.ts'),
    `!${path.join(repoRoot, 'rules/*.test.ts')}`,
  ]);
  const edges: Edge[] = [];
  const relativeOf = (file: SourceFile) => path.relative(repoRoot, file.getFilePath());
  for (const file of project.getSourceFiles()) {
    const declarations = [...file.getImportDeclarations(), ...file.getExportDeclarations()];
    for (const declaration of declarations) {
      const target = declaration.getModuleSpecifierSourceFile();
      if (!target) continue;
      const typeOnly =
        declaration.isTypeOnly() ||
        ('getNamedImports' in declaration &&
          !declaration.getDefaultImport() &&
          !declaration.getNamespaceImport() &&
          declaration.getNamedImports().length > 0 &&
          declaration.getNamedImports().every((named) => named.isTypeOnly()));
      edges.push({ from: relativeOf(file), to: relativeOf(target), typeOnly });
    }
  }
  return edges;
}

const edges = importEdges();

describe('architecture', () => {
  it('knows the stage of every folder and loose module of src/', () => {
    const unknown = [
      ...new Set(
        edges
          .flatMap((edge) => [edge.from, edge.to])
          .filter((file) => file.startsWith('src/'))
          .map(stageOf),
      ),
    ].filter((stage) => STAGES[stage] === undefined);
    expect(unknown).toEqual([]);
  });

  it('never imports back up the pipeline, not even types', () => {
    const upward = edges
      .filter((edge) => edge.from.startsWith('src/') && edge.to.startsWith('src/'))
      .filter((edge) => stageOf(edge.from) !== stageOf(edge.to) && STAGES[stageOf(edge.to)]! >= STAGES[stageOf(edge.from)]!)
      .map((edge) => `${edge.from} -> ${edge.to}`);
    expect(upward).toEqual([]);
  });

  it('has no value-import cycles', () => {
    const graph = new Map<string, string[]>();
    for (const edge of edges) if (!edge.typeOnly) graph.set(edge.from, [...(graph.get(edge.from) ?? []), edge.to]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps rules standalone: no rule module imports another', () => {
    const crossRule = edges
      .filter((edge) => edge.from.startsWith('rules/') && edge.to.startsWith('rules/') && !edge.from.endsWith('index.ts'))
      .map((edge) => `${edge.from} -> ${edge.to}`);
    expect(crossRule).toEqual([]);
  });

  it('keeps src/ to a few loose modules, the rest in stage folders', () => {
    const loose = readdirSync(path.join(repoRoot, 'src')).filter((name) => name.endsWith('.ts'));
    expect(loose.length).toBeLessThanOrEqual(8);
  });
});
