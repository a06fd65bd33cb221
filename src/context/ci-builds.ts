/**
 * Images a repository's GitHub Actions workflows build and push: a step `uses: docker/build-push-action@…` with
 * `context:`, optional `file:` and `tags:` builds that Dockerfile and names the result with each tag. A Compose file
 * that only names such an image (librephotos-docker's proxy service runs `reallibrephotos/librephotos-proxy:${tag}`,
 * which .github/workflows/proxy.yml builds from ./proxy) runs that build, whatever the tag.
 */
import path from 'node:path';
import type { Node } from 'yaml';
import { imageRepository } from './app-servers.js';
import { repositoryFiles } from './discovery.js';
import { readDockerfile, type BuiltImage } from './dockerfile.js';
import type { OriginFactory } from './origin.js';
import { readYamlFile, type YamlDocument } from './yaml.js';

const WORKFLOW_GLOBS = ['.github/workflows/*.{yml,yaml}'];
const MAX_WORKFLOWS = 50;
const BUILD_PUSH_ACTION = /^docker\/build-push-action@/;

/** A workflow expression (`${{ github.sha }}`) stands for a value the run gives it. */
const EXPRESSION = /\$\{\{[^}]*\}\}/;

/** A workflow's step with the `env` values it sees: the workflow's, its job's and its own, literal ones only. */
interface WorkflowStep {
  readonly document: YamlDocument;
  readonly step: Node;
  readonly env: ReadonlyMap<string, string>;
}

/** `env:` of a workflow, job or step over `outer`: a later level's value wins, one set by an expression is not known. */
function withEnv(document: YamlDocument, node: Node | null, outer: ReadonlyMap<string, string>): Map<string, string> {
  const env = new Map(outer);
  for (const { key, value } of document.entries(document.at(node, 'env'))) {
    const text = document.text(value);
    if (text === null || EXPRESSION.test(text)) env.delete(key);
    else env.set(key, text);
  }
  return env;
}

function stepsOf(document: YamlDocument): WorkflowStep[] {
  const workflowEnv = withEnv(document, document.root, new Map());
  return document.entries(document.at(document.root, 'jobs')).flatMap(({ value: job }) => {
    const jobEnv = withEnv(document, job, workflowEnv);
    return document.items(document.at(job, 'steps')).map((step) => ({ document, step, env: withEnv(document, step, jobEnv) }));
  });
}

/** `${{ env.IMAGE }}:nightly` with the step's `env` filled in (openmrs' workflows name their image so). */
function expandEnv(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{\{\s*env\.([A-Za-z_][\w-]*)\s*\}\}/g, (expression, name: string) => env.get(name) ?? expression);
}

/**
 * By image repository (`owner/name`): the build of each docker/build-push-action step with a literal `context:` (and
 * `file:`, if any) inside the repository, read as `docker build` reads that Dockerfile. A repository two steps build
 * from different Dockerfiles is left out: which one a Compose file runs is not known.
 */
export function imagesBuiltByWorkflows(repoRoot: string, origins: OriginFactory): Map<string, BuiltImage> {
  const builds = new Map<string, BuiltImage | null>();
  for (const file of repositoryFiles(repoRoot, WORKFLOW_GLOBS, MAX_WORKFLOWS)) {
    let documents: YamlDocument[];
    try {
      documents = readYamlFile(file, origins);
    } catch {
      continue; // A workflow that cannot be read says nothing about images.
    }
    for (const { document, step, env } of documents.flatMap(stepsOf)) {
      if (!BUILD_PUSH_ACTION.test(document.text(document.at(step, 'uses')) ?? '')) continue;
      const options = document.at(step, 'with');
      const literal = (key: string) => {
        const text = document.text(document.at(options, key));
        return text === null ? null : expandEnv(text, env);
      };
      const context = literal('context') ?? '.';
      const dockerfile = literal('file');
      const tags = literal('tags');
      if (tags === null || EXPRESSION.test(context) || (dockerfile !== null && EXPRESSION.test(dockerfile))) continue;
      const contextPath = path.resolve(repoRoot, context);
      // build-push-action's `file` is relative to the workspace (the repository root), its default the context's Dockerfile.
      const built = readDockerfile(
        dockerfile === null ? path.join(contextPath, 'Dockerfile') : path.resolve(repoRoot, dockerfile),
        contextPath,
        origins,
        repoRoot,
      );
      if (!built) continue;
      for (const tag of tags.split(/[\s,]+/).filter(Boolean)) {
        const repository = imageRepository(tag);
        if (EXPRESSION.test(repository) || repository.includes('$') || !repository.includes('/')) continue;
        const known = builds.get(repository);
        builds.set(repository, known === undefined || known?.dockerfile === built.dockerfile ? built : null);
      }
    }
  }
  return new Map([...builds].flatMap(([repository, built]) => (built === null ? [] : [[repository, built] as [string, BuiltImage]])));
}
