import type { Directive } from '../src/syntax/ast.js';
import { directiveName, MEMORY_PAGE, planBufferFix } from '../src/model/buffers.js';
import { type BlockContext, getDirective } from '../src/nginx/directives.js';
import type { Model, PassModule, ProxyPass } from '../src/model/index.js';
import { defineRule } from '../src/lint/rule.js';
import type { Fact, ServiceFacts } from '../src/context/index.js';
import { type ConfigNode, statementText } from '../src/load/tree.js';
import { formatNginxSize, parseNginxSize } from '../src/nginx/units.js';

const TOO_BIG_HEADER = 'upstream sent too big header while reading response header from upstream';
const PASS_MODULES: readonly PassModule[] = ['proxy', 'fastcgi', 'uwsgi', 'scgi', 'grpc'];

interface LargestHeaders {
  readonly service: ServiceFacts;
  readonly fact: Fact<number>;
}

/** Of the services a pass can reach (every server of its upstream), the one that sends the largest headers. */
function largestHeadersBehind(model: Model, pass: ProxyPass): LargestHeaders | null {
  let largest: LargestHeaders | null = null;
  for (const { service, server } of model.servicesBehind(pass)) {
    // A server marked down gets no requests, so its headers cannot fail one.
    if (server?.down) continue;
    const fact = service.maxResponseHeaderSize;
    if (fact && (!largest || fact.value > largest.fact.value)) largest = { service, fact };
  }
  return largest;
}

/**
 * The header buffer to recommend for headers of `bytes`: a quarter more, for headers that grow (another cookie, a
 * longer token) and for the status line, rounded up to whole memory pages. The lab's 8k passed 6 KB of headers
 * and its 12k passed 10 KB; this makes 6k → 8k, 8k → 12k, 12k → 16k.
 */
function recommendedBufferSize(bytes: number): number {
  return Math.ceil((bytes * 1.25) / MEMORY_PAGE) * MEMORY_PAGE;
}

/** `8k`, or `6000 bytes` for a size without a unit. */
function describeSize(bytes: number): string {
  const spelled = formatNginxSize(bytes);
  return /^[0-9]+$/.test(spelled) ? `${spelled} bytes` : spelled;
}

interface Finding {
  readonly reportAt: ConfigNode;
  readonly module: PassModule;
  /** The statement that sets the buffer size in effect, or null when nginx's default applies. */
  readonly setting: ConfigNode | null;
  readonly bufferSize: number;
  readonly passes: readonly ProxyPass[];
  readonly largest: LargestHeaders;
}

/** Whether the http module's `name` may be written in `context` (the stream module has a `proxy_buffer_size` too). */
function allowedIn(name: string, context: BlockContext | null): boolean {
  return context !== null && getDirective(name).some((spec) => spec.module.startsWith('ngx_http_') && spec.contexts.includes(context));
}

/**
 * The statement after which a new buffer size reaches the pass: the pass itself, or the `if` or `limit_except` block
 * around it, at the nearest level where the directive may stand.
 */
function statementAtSettingLevel(model: Model, pass: ProxyPass): ConfigNode | null {
  const name = directiveName(pass.module, 'bufferSize');
  let statement = pass.node;
  for (;;) {
    const level = statement.parent;
    if (allowedIn(name, level ? level.blockContext : model.tree.rootContext)) return statement;
    if (!level) return null;
    statement = level;
  }
}

/**
 * Passes whose buffer size comes from one statement share one finding there, also when a file that several places
 * include holds it; with the default, each pass has its own.
 */
function findingsOf(model: Model): Map<Directive, Finding> {
  const findings = new Map<Directive, Finding>();
  for (const pass of model.proxyPasses) {
    const largest = largestHeadersBehind(model, pass);
    if (!largest) continue;
    const effective = model.effective(pass.node, directiveName(pass.module, 'bufferSize'));
    const setting = effective.nodes[0] ?? null;
    const bufferSize = setting ? parseNginxSize(effective.values[0]?.[0] ?? '') : MEMORY_PAGE;
    if (!bufferSize || largest.fact.value <= bufferSize) continue;
    const reportAt = setting ?? pass.node;
    const previous = findings.get(reportAt.directive);
    findings.set(
      reportAt.directive,
      previous
        ? { ...previous, passes: [...previous.passes, pass], largest: previous.largest.fact.value >= largest.fact.value ? previous.largest : largest }
        : { reportAt, module: pass.module, setting, bufferSize, passes: [pass], largest },
    );
  }
  return findings;
}

/** `, which proxy_pass http://api (conf.d/shop.conf:6) uses` when the setting stands elsewhere than the pass. */
function usedBy(model: Model, setting: ConfigNode, passes: readonly ProxyPass[]): string {
  const first = passes[0]!;
  if (first.node.parent === setting.parent) return '';
  const more = passes.length > 1 ? ` and ${passes.length - 1} more use` : ' uses';
  return `, which ${statementText(first.node)} (${model.where(first.node)})${more}`;
}

export default defineRule({
  meta: {
    id: 'proxy-buffer-size-too-small',
    description:
      'proxy_buffer_size (or fastcgi_, uwsgi_, scgi_, grpc_buffer_size) is smaller than the response headers of the application behind it, so those responses fail with 502.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // A bigger header buffer only lets through responses that failed before, and planBufferFix keeps the buffer
    // combination one nginx -t accepts.
    fixSafety: 'safe',
    messages: {
      tooSmall:
        '{{name}} {{size}} is smaller than the {{headers}} of response headers {{service}} sends: those responses get 502; set {{recommended}}',
      belowPage: '{{name}} {{size}} is below one memory page ({{page}}): a response with larger headers gets 502; set {{recommended}}',
    },
    details: {
      tooSmall:
        '{{current}}, but {{origin}} says {{service}} sends up to {{headers}} of response headers. The status line and every header must fit in this one buffer; a response whose headers do not fit fails with 502, without a retry, and the error log says "{{errorLog}}". {{remedy}}',
      belowPage:
        '{{name}} {{size}} is smaller than nginx\'s default of one memory page ({{page}}): a response whose status line and headers exceed it — one session cookie can — fails with 502, without a retry, and the error log says "{{errorLog}}". Set {{recommended}}.',
    },
  },
  check(context) {
    const { model } = context;
    const findings = findingsOf(model);
    for (const { reportAt, module, setting, bufferSize, passes, largest } of findings.values()) {
      const name = directiveName(module, 'bufferSize');
      const recommended = recommendedBufferSize(largest.fact.value);
      const anchor = setting ?? statementAtSettingLevel(model, passes[0]!);
      const fix = anchor && planBufferFix(model, module, anchor, { bufferSize: recommended });
      const current = setting
        ? `${name} ${formatNginxSize(bufferSize)}${usedBy(model, setting, passes)}`
        : `${name} is not set, so it is nginx's default of one memory page, ${formatNginxSize(bufferSize)}`;
      const sizing = `the headers plus a quarter, rounded up to ${formatNginxSize(MEMORY_PAGE)}`;
      const matching = module === 'grpc' ? '' : `, with ${directiveName(module, 'buffers')} and ${directiveName(module, 'busyBuffersSize')} to match`;
      const remedy = fix ? `Set ${fix.summary}: ${sizing}.` : `Raise it to ${formatNginxSize(recommended)} for this pass (${sizing})${matching}.`;
      context.report({
        node: reportAt,
        messageId: 'tooSmall',
        data: {
          name,
          size: formatNginxSize(bufferSize),
          headers: describeSize(largest.fact.value),
          service: largest.service.name,
          recommended: fix ? fix.summary : `${name} ${formatNginxSize(recommended)}`,
          current,
          origin: largest.fact.origin.label,
          errorLog: TOO_BIG_HEADER,
          remedy,
        },
        ...(fix ? { fix: fix.changes } : {}),
      });
    }

    for (const module of PASS_MODULES) {
      const name = directiveName(module, 'bufferSize');
      for (const node of model.nodes(name)) {
        const value = parseNginxSize(node.directive.args[0]?.value ?? '');
        if (!allowedIn(name, node.context) || findings.has(node.directive) || !value || value >= MEMORY_PAGE) continue;
        const fix = planBufferFix(model, module, node, { bufferSize: MEMORY_PAGE });
        context.report({
          node,
          severity: 'warn',
          messageId: 'belowPage',
          data: {
            name,
            size: formatNginxSize(value),
            page: formatNginxSize(MEMORY_PAGE),
            errorLog: TOO_BIG_HEADER,
            recommended: fix ? fix.summary : `${name} ${formatNginxSize(MEMORY_PAGE)}`,
          },
          ...(fix ? { fix: fix.changes } : {}),
        });
      }
    }
  },
});
