/**
 * The read timeout where a `*_pass` stands is shorter than the 99th-percentile response time of the service behind
 * it, plus headroom: nginx gives up on the slowest requests with 504 (lab scenario 6: `proxy_read_timeout 1s` against
 * a 2 s backend, 5 of 5), and since a timeout counts as a failure, an upstream whose servers all time out answers
 * everything with 502 "no live upstreams" until fail_timeout passes.
 *
 * The timeout is compared with the P99 of the whole response, although nginx's timer runs only between two reads
 * (for the header: until the first byte): an application's P99 is what its owners know, and a response that starts
 * late is the case that matters.
 */
import { insertStatementAfter, insertStatementsInBlock, replaceToken } from '../src/syntax/edits.js';
import type { Model, ProxyPass, Upstream } from '../src/model/index.js';
import { defineRule, type TextChange } from '../src/lint/rule.js';
import type { Fact, ServiceFacts } from '../src/context/index.js';
import { type ConfigNode, statementText } from '../src/load/tree.js';
import { formatNginxTime, parseNginxTime } from '../src/nginx/units.js';

interface Options {
  /** How much longer than the P99 the timeout must be, as a fraction: 0.2 means P99 × 1.2. */
  readonly headroom: number;
}

/** The fix's value is at least P99 × 1.3, so a P99 that creeps up a little does not bring the finding back. */
const MIN_FIX_FACTOR = 1.3;

const TIMED_OUT = '"upstream timed out (110: Connection timed out) while reading response header from upstream"';
const NO_LIVE_UPSTREAMS = '"no live upstreams while connecting to upstream"';

interface SlowService {
  readonly service: ServiceFacts;
  readonly p99: Fact<number>;
}

/** The slowest service with a known P99 among those the pass reaches (not through `down` servers); null when none is known. */
function slowestServiceOf(model: Model, pass: ProxyPass): SlowService | null {
  let slowest: SlowService | null = null;
  for (const { service, server } of model.servicesBehind(pass)) {
    if (server?.down) continue;
    if (service.p99 !== null && (slowest === null || service.p99.value > slowest.p99.value)) slowest = { service, p99: service.p99 };
  }
  return slowest;
}

/**
 * Whether timeouts can leave the upstream with no server to try: it is not a single server (nginx never marks a
 * lone server failed), and every server that takes requests is marked failed after max_fails errors.
 */
function canRunOutOfServers(upstream: Upstream): boolean {
  return upstream.servers.length >= 2 && upstream.servers.every((server) => server.down || server.maxFails !== 0);
}

/** `location /api/`, or `this file` for a snippet linted in location context. */
function locationName(location: ConfigNode | null): string {
  return location ? statementText(location) : 'this file';
}

/**
 * A P99 scaled by a factor, in whole milliseconds, rounded up. Noise below a nanosecond is dropped first, so that
 * 3000 × 1.1 (3300.0000000000005 in floating point) is 3300 and not 3301.
 */
function scaleMs(milliseconds: number, factor: number): number {
  return Math.ceil(milliseconds * factor - 1e-6);
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

export default defineRule<Options>({
  meta: {
    id: 'proxy-timeout-below-p99',
    description:
      'The read timeout of a proxied location is below the P99 response time of the service behind it, plus headroom: the slowest requests get 504.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // A longer read timeout cannot make a request fail that succeeded before.
    fixSafety: 'safe',
    messages: {
      belowP99: '{{name}} {{value}} is below the p99 of {{service}}, {{p99}}: slower requests get 504; set {{name}} {{suggested}}',
    },
    details: {
      belowP99:
        '{{subject}} is below the p99 of {{service}}, {{p99}} ({{p99Origin}}){{headroom}}: requests that take longer than {{value}} get 504 {{timedOut}}{{noLive}}. Set {{name}} {{suggested}} in {{where}}.',
    },
    schema: {
      type: 'object',
      properties: {
        headroom: {
          type: 'number',
          minimum: 0,
          description: 'How much longer than the P99 the timeout must be, as a fraction: 0.2 means P99 × 1.2.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { headroom: 0.2 },
  },
  check(context) {
    const { model, options } = context;
    // Two passes in one location (one in an `if`) would each insert the same statement; nginx rejects a duplicate.
    const locationsGivenInsert = new Set<ConfigNode | null>();

    for (const pass of model.proxyPasses) {
      const slowest = slowestServiceOf(model, pass);
      if (!slowest) continue;
      const name = `${pass.module}_read_timeout`;
      const effective = model.effective(pass.node, name);
      const setter = effective.nodes[0] ?? null;
      const valueToken = setter?.directive.args[0] ?? null;
      const valueText = valueToken?.value ?? effective.default;
      if (valueText === null) continue;
      const timeoutMs = parseNginxTime(valueText);
      if (timeoutMs === null) continue;

      const requiredMs = scaleMs(slowest.p99.value, 1 + options.headroom);
      if (timeoutMs >= requiredMs) continue;

      // A read-timeout setting for the pass belongs in its location, not an `if` in it; null at a snippet's top.
      const location = model.enclosing(pass.node, ['location']);
      const setHere = setter !== null && setter.parent === location;
      const suggested = formatNginxTime(scaleMs(slowest.p99.value, Math.max(MIN_FIX_FACTOR, 1 + options.headroom)), { roundUpTo: 's' });

      let fix: TextChange[] | undefined;
      if (setter && setHere) {
        if (valueToken && model.appearsOnce(setter)) fix = replaceToken(setter.directive.file, valueToken, suggested);
      } else if (!locationsGivenInsert.has(location)) {
        const statement = `${name} ${suggested};`;
        const levelFile = location?.directive.file ?? model.tree.program.entry;
        if (pass.node.parent === location && pass.node.directive.file === levelFile) fix = insertStatementAfter(pass.node, statement);
        else if (location) fix = insertStatementsInBlock(location, [statement], 'end');
        if (fix) locationsGivenInsert.add(location);
      }

      const where = locationName(location);
      const subject =
        setter === null
          ? `${name} (the default, ${valueText})`
          : setHere
            ? `${name} ${valueText}`
            : `${name} ${valueText}, inherited by ${where} (${model.where(location ?? pass.node)}),`;
      const headroom = options.headroom > 0 ? ` plus ${percent(options.headroom)} headroom, ${formatNginxTime(requiredMs)}` : '';
      const upstream = pass.target.kind === 'upstream' ? pass.target.upstream : null;
      const noLive =
        upstream && canRunOutOfServers(upstream)
          ? `, and once every server of upstream ${upstream.name} has timed out, 502 ${NO_LIVE_UPSTREAMS}`
          : '';
      context.report({
        node: setter ?? pass.node,
        ...(valueToken ? { token: valueToken } : {}),
        messageId: 'belowP99',
        data: {
          name,
          value: valueText,
          subject,
          service: slowest.service.name,
          p99: slowest.p99.text,
          p99Origin: slowest.p99.origin.label,
          headroom,
          timedOut: TIMED_OUT,
          noLive,
          suggested,
          where,
        },
        ...(fix ? { fix } : {}),
      });
    }
  },
});
