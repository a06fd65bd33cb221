/**
 * Hover on a statement: what the directive table says about the directive (module, arguments, default, contexts,
 * first release, documentation link) and, where the last run's model has the statement, the value nginx uses there
 * after inheritance and, for a `*_pass`, where it sends requests and which known services answer there.
 */
import path from 'node:path';
import type { Directive, SourceFile } from '../syntax/ast.js';
import { getDirective, removedDirective, type ArgFlag, type DirectiveSpec } from '../nginx/directives.js';
import type { ConfigNode } from '../load/tree.js';
import type { Model } from '../model/index.js';

/** The innermost statement whose name or arguments hold `offset` (a block's body does not count as its statement). */
export function statementAt(file: SourceFile, offset: number): Directive | null {
  let level: readonly Directive[] | null = file.directives;
  while (level) {
    const directive: Directive | undefined = level.find((candidate) => candidate.start <= offset && offset <= candidate.end);
    if (!directive) return null;
    const headEnd = directive.terminator === '{' ? directive.terminatorStart : directive.end;
    if (offset <= headEnd) return directive;
    level = directive.children;
  }
  return null;
}

const ARITY: Readonly<Record<ArgFlag, string>> = {
  NOARGS: 'no arguments',
  TAKE1: '1 argument',
  TAKE2: '2 arguments',
  TAKE3: '3 arguments',
  TAKE4: '4 arguments',
  TAKE5: '5 arguments',
  TAKE6: '6 arguments',
  TAKE7: '7 arguments',
  FLAG: '`on` | `off`',
  ANY: 'any number of arguments',
  '1MORE': '1 or more arguments',
  '2MORE': '2 or more arguments',
};

/** `proxy_read_timeout` takes 1 argument; `ssl_protocols` 1 or more; TAKE1|TAKE2 reads "1 argument or 2 arguments". */
function arity(spec: DirectiveSpec): string | null {
  if (spec.args === null) return null;
  const text = spec.args.map((flag) => ARITY[flag]).join(' or ');
  return spec.block ? `${text}, then a \`{ }\` block` : text;
}

function specSection(spec: DirectiveSpec): string[] {
  const lines = [`**${spec.name}** — \`${spec.module}\`${spec.source === 'nginx' ? '' : ` (${spec.source})`}`, ''];
  const takes = arity(spec);
  if (takes) lines.push(`- Arguments: ${takes}`);
  lines.push(`- Default: ${spec.default === null ? '—' : `\`${spec.name} ${spec.default};\``}`);
  lines.push(`- Context: ${spec.contexts.map((context) => `\`${context}\``).join(', ')}`);
  if (spec.since) lines.push(`- Since: nginx ${spec.since}`);
  if (spec.deprecated) lines.push(`- Deprecated: ${spec.deprecated}`);
  if (spec.availability) lines.push(`- Availability: ${spec.availability}${spec.note ? ` (${spec.note})` : ''}`);
  if (spec.configure) lines.push(`- Built with: \`${spec.configure}\``);
  if (spec.docUrl) lines.push('', `[nginx documentation](${spec.docUrl})`);
  return lines;
}

function docsSection(name: string, context: string | null): string[] {
  const specs = getDirective(name);
  if (specs.length === 0) {
    const removed = removedDirective(name)[0];
    return removed
      ? [`**${name}** — removed in nginx ${removed.goneIn} (last in ${removed.lastRelease})`]
      : [`**${name}** — not a directive nginx-lint knows`];
  }
  // Where several modules share a name (`server`, `listen`), the one allowed where the statement stands.
  const spec = (context && specs.find((candidate) => (candidate.contexts as readonly string[]).includes(context))) || specs[0]!;
  return specSection(spec);
}

const MAX_PLACES = 4;

function relativeTo(model: Model, filePath: string): string {
  return path.relative(path.dirname(model.tree.program.entry.path), filePath) || path.basename(filePath);
}

/** Statements of the same name in blocks nested inside the one `node` stands in: there, they count instead. */
function overriddenBelow(model: Model, node: ConfigNode): ConfigNode[] {
  const level = node.parent;
  return model.nodes(node.directive.name).filter((other) => {
    if (other === node || other.parent === level) return false;
    if (level === null) return other.parent !== null;
    for (let block = other.parent; block; block = block.parent) if (block === level) return true;
    return false;
  });
}

/** The value in effect at one place of the configuration, with where it comes from. */
function effectiveSection(model: Model, node: ConfigNode): string[] {
  const name = node.directive.name;
  const lines: string[] = [];
  // Blocks and `include` have no value to inherit; what they open or bring in is hovered on its own lines.
  if (node.directive.terminator !== '{' && name !== 'include') {
    const effective = model.effective(node, name);
    if (effective.nodes.length > 1) {
      lines.push(`Effective here (${effective.nodes.length} statements at this level):`);
      effective.nodes.forEach((setter, index) => lines.push(`- \`${name} ${effective.values[index]!.join(' ')};\` — ${model.where(setter)}`));
    } else if (effective.nodes.length === 1) {
      lines.push(`Effective here: \`${name} ${effective.values[0]!.join(' ')};\``);
    }
    if (effective.default !== null) lines.push(`nginx's default in \`${node.context ?? 'this context'}\`: \`${effective.default}\``);
    const overriding = overriddenBelow(model, node);
    if (overriding.length > 0) {
      lines.push('Replaced in nested blocks by:');
      for (const below of overriding.slice(0, MAX_PLACES)) {
        const block = below.parent ? `\`${below.parent.directive.name} ${below.parent.directive.args.map((arg) => arg.raw).join(' ')}\`` : '';
        lines.push(`- ${block} \`${name} ${below.directive.args.map((arg) => arg.raw).join(' ')};\` — ${model.where(below)}`);
      }
      if (overriding.length > MAX_PLACES) lines.push(`- … and ${overriding.length - MAX_PLACES} more`);
    }
  }
  const pass = model.proxyPassOf(node);
  if (pass) {
    const { target } = pass;
    if (target.kind === 'upstream') {
      const servers = target.upstream.servers.map((server) => `\`${server.addressToken.value}\``).join(', ');
      lines.push(`Sends to upstream \`${target.upstream.name}\` (${model.where(target.upstream.node)}): ${servers || 'no servers'}`);
    } else if (target.kind === 'host') lines.push(`Sends to \`${target.host}${target.port === null ? '' : `:${target.port}`}\``);
    else if (target.kind === 'unix') lines.push(`Sends to the UNIX socket \`${target.path}\``);
    else if (target.kind === 'variable')
      lines.push(
        `Sends to \`${target.expression}\`${target.candidates.length > 0 ? `: one of ${target.candidates.map((value) => `\`${value}\``).join(', ')}` : ''}`,
      );
    else lines.push(`nginx refuses the target: ${target.message}`);
    for (const behind of model.servicesBehind(pass)) {
      const { service } = behind;
      const facts = [
        behind.port ? `listens on ${behind.port.text} (${behind.port.origin.label})` : null,
        service.p99 ? `P99 ${service.p99.text} (${service.p99.origin.label})` : null,
        service.keepAliveTimeout ? `keep-alive ${service.keepAliveTimeout.text} (${service.keepAliveTimeout.origin.label})` : null,
        service.server ? `runs ${service.server}` : null,
      ].filter((fact): fact is string => fact !== null);
      lines.push(`- service \`${service.name}\` (${service.origin.label})${facts.length > 0 ? `: ${facts.join('; ')}` : ''}`);
    }
  }
  return lines;
}

/**
 * The hover text for the statement at `offset` of `file` (the buffer as the editor has it). `models`: the models of
 * the last run over this buffer's text; a statement they hold gets its effective value, once per place the file is
 * included from.
 */
export function hoverText(file: SourceFile, offset: number, models: readonly Model[]): { text: string; directive: Directive } | null {
  const directive = statementAt(file, offset);
  if (!directive) return null;
  const places: { model: Model; node: ConfigNode }[] = [];
  for (const model of models) {
    for (const node of model.nodes(directive.name)) {
      if (node.directive.file.path === file.path && node.directive.start === directive.start) places.push({ model, node });
    }
  }
  const sections = [docsSection(directive.name, places[0]?.node.context ?? null)];
  for (const { model, node } of places.slice(0, MAX_PLACES)) {
    const lines = effectiveSection(model, node);
    if (lines.length === 0) continue;
    const via = node.includedBy ? ` — included by ${model.where(node.includedBy)}` : '';
    const heading = places.length > 1 || via ? `In \`${node.context ?? '?'}\` of ${relativeTo(model, model.tree.program.entry.path)}${via}` : null;
    sections.push(heading ? [heading, '', ...lines] : lines);
  }
  if (places.length > MAX_PLACES) sections.push([`… and ${places.length - MAX_PLACES} more places this file is included`]);
  return { text: sections.map((lines) => lines.join('\n')).join('\n\n---\n\n'), directive };
}
