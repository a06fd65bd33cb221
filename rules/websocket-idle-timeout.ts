/**
 * A websocket location (one that forwards the client's `Upgrade`) whose `proxy_read_timeout` cuts a quiet socket:
 * once the protocol has switched, nginx closes the tunnel when neither side has sent a byte for `proxy_read_timeout`.
 *
 * Measured with real nginx 1.22 and a Node backend that answers the handshake with 101 and keeps the socket open
 * (test/reality/websocket-idle-timeout.test.ts): with `proxy_read_timeout 2s` an idle socket was closed after 2 s —
 * the client got a FIN and no websocket close frame (browsers report code 1006) — and nginx logged "upstream timed out
 * (110: Connection timed out) while proxying upgraded connection" at level `info` only, so the default error_log
 * (level `error`) says nothing. A ping every second from either side kept the socket open: nginx restarts the timer
 * on traffic in either direction. `proxy_send_timeout 1s` did not close an idle socket (its timer runs only while a
 * write to the backend is blocked), so only the read timeout is checked.
 *
 * Whether a socket is ever quiet that long depends on the application's pings, which the configuration does not
 * show: nginx's 60 s default is never reported unless a ping interval is known, and a written timeout is reported
 * when it is below `minReadTimeout` (60 s) or, when the ping interval is known, not above it.
 */
import { defineRule } from '../src/lint/rule.js';
import { forwardsUpgrade } from '../src/model/keepalive.js';
import type { ConfigNode } from '../src/load/tree.js';
import { statementText } from '../src/load/tree.js';
import { formatNginxTime, parseNginxTime } from '../src/nginx/units.js';

interface Options {
  /** With no known ping interval, a written timeout below this is reported. */
  readonly minReadTimeout: string;
  /** How often the application (or its clients) sends something on an idle socket; unset when unknown. */
  readonly pingInterval?: string;
}

/**
 * Socket.IO (Engine.IO) sends a ping every 25 s by default (`pingInterval: 25000`, versions 2 to 4; from the server
 * since 4, from the client before): a location whose path says socket.io is taken to carry it.
 */
const SOCKET_IO_PING_MS = 25_000;
const SOCKET_IO_PATH = /socket\.io/i;

const TIMED_OUT = '"upstream timed out (110: Connection timed out) while proxying upgraded connection"';

interface PingEvidence {
  readonly ms: number;
  /** For messages: `the pingInterval option`, `Socket.IO's default, going by the location's path`. */
  readonly source: string;
}

function pingEvidence(location: ConfigNode | null, option: string | undefined): PingEvidence | null {
  const optionMs = option === undefined ? null : parseNginxTime(option);
  if (optionMs !== null) return { ms: optionMs, source: 'the pingInterval option' };
  if (location && location.directive.args.some((arg) => SOCKET_IO_PATH.test(arg.value))) {
    return { ms: SOCKET_IO_PING_MS, source: "Socket.IO's default, going by the location's path" };
  }
  return null;
}

export default defineRule<Options>({
  meta: {
    id: 'websocket-idle-timeout',
    description:
      'A websocket location keeps a `proxy_read_timeout` shorter than the quiet spells of its sockets: nginx closes an upgraded connection after that long without traffic.',
    category: 'reliability',
    severity: 'warn',
    presets: ['recommended'],
    fixable: false,
    messages: {
      shortTimeout: '{{subject}} closes websockets in {{location}} after {{value}} without traffic{{pingClause}}; raise it in this location',
    },
    details: {
      shortTimeout:
        "{{subject}} is in effect for {{location}}, which forwards Upgrade. Once a websocket is open, nginx closes it when neither side has sent anything for {{value}}: the client sees the connection drop without a close frame (browsers report 1006) and reconnects, and nginx logs {{timedOut}} only at level info. {{pingReason}} Set proxy_read_timeout in {{location}} above the longest quiet spell (an hour is common for websockets; {{minimum}}), or, if the application pings more often than every {{value}}, set this rule's pingInterval option.",
    },
    schema: {
      type: 'object',
      properties: {
        minReadTimeout: {
          type: 'string',
          description: 'With no known ping interval, a proxy_read_timeout written below this (an nginx time, "60s") is reported.',
        },
        pingInterval: {
          type: 'string',
          description:
            'How often the applications or their clients send a ping on an idle websocket ("25s"); a timeout not above it is reported, nginx\'s default included.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { minReadTimeout: '60s' },
  },
  check({ model, options, report }) {
    const minimumMs = parseNginxTime(options.minReadTimeout);
    const seen = new Set<ConfigNode>();
    for (const pass of model.proxyPasses) {
      if (pass.module !== 'proxy' || !forwardsUpgrade(model, pass)) continue;
      const location = model.enclosing(pass.node, ['location']);
      const key = location ?? pass.node;
      if (seen.has(key)) continue;
      seen.add(key);

      const effective = model.effective(pass.node, 'proxy_read_timeout');
      const setter = effective.nodes[0] ?? null;
      const value = setter?.directive.args[0]?.value ?? effective.default;
      const timeoutMs = value === null ? null : parseNginxTime(value);
      if (value === null || timeoutMs === null) continue;

      const ping = pingEvidence(location, options.pingInterval);
      let pingReason: string;
      if (ping) {
        // A ping that comes no sooner than the timeout races it.
        if (timeoutMs > ping.ms) continue;
        pingReason = `Pings come every ${formatNginxTime(ping.ms)} (${ping.source}), no sooner than the timeout, so even a healthy socket is cut between two pings.`;
      } else {
        // nginx's default is what applications written for nginx ping within; only a shorter written value is reported.
        if (setter === null || minimumMs === null || timeoutMs >= minimumMs) continue;
        pingReason = `Many applications ping every 25-30 s (Socket.IO 25 s, Phoenix 30 s) and some never do, so a timeout below ${formatNginxTime(minimumMs)} cuts sockets that are healthy but quiet.`;
      }

      const where = location ? statementText(location) : 'this file';
      const setHere = setter !== null && model.enclosing(setter, ['location']) === location;
      const subject =
        setter === null
          ? `proxy_read_timeout (nginx's default, ${value})`
          : setHere
            ? `proxy_read_timeout ${value}`
            : `proxy_read_timeout ${value} (${model.where(setter)})`;
      const upgradeNode = model.effectiveHeader(pass.node, 'proxy_set_header', 'Upgrade').node ?? pass.node;
      const reportAt = setter && setHere ? setter : location && upgradeNode.parent !== location ? pass.node : upgradeNode;
      const token = setter && setHere ? setter.directive.args[0] : undefined;
      const minimum = ping ? `more than ${formatNginxTime(ping.ms)}` : `at least ${formatNginxTime(minimumMs!)}`;
      report({
        node: reportAt,
        ...(token ? { token } : {}),
        messageId: 'shortTimeout',
        data: {
          subject,
          location: where,
          value,
          pingClause: ping ? `, and pings come only every ${formatNginxTime(ping.ms)} (${ping.source})` : '',
          pingReason,
          timedOut: TIMED_OUT,
          minimum,
        },
      });
    }
  },
});
