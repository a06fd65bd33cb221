/**
 * Upstream blocks whose failure accounting or retry limit turns one failing server into 502s nginx could have
 * avoided (ngx_http_upstream_round_robin.c, ngx_http_upstream_next):
 *
 * - one server left to serve, beside servers marked `down` and without a `backup`: nginx marks it down after
 *   `max_fails` failures and answers 502 "no live upstreams" for `fail_timeout`, even once it is back. A block with a
 *   single `server` line is exempt: nginx never marks its only server down (measured);
 * - a `fail_timeout` at least as long as the known interval between two instances' restarts: the second instance
 *   goes down while the first is still marked down, and every request gets 502 "no live upstreams";
 * - `*_next_upstream_tries 1` for an upstream with several servers: a failed request is never retried elsewhere.
 *   `*_next_upstream off` has the same effect and is proxy-next-upstream-missing's finding, so it is skipped here.
 *
 * Measured with nginx 1.22.1: see docs/rules/upstream-failover-ineffective.md.
 */
import { formatNginxTime } from '../src/nginx/units.js';
import { type Model, retryPolicyOf, type Upstream, type UpstreamServer } from '../src/model/index.js';
import { listAnd } from '../src/wording.js';
import { defineRule } from '../src/lint/rule.js';
import { type ConfigNode, statementText } from '../src/load/tree.js';
import { replaceArgs } from '../src/syntax/edits.js';
import type { TextChange } from '../src/syntax/text-changes.js';
import type { Fact, ServiceFacts } from '../src/context/index.js';
import { isIpAddress } from '../src/model/index.js';

const NO_LIVE_UPSTREAMS = '502 "no live upstreams while connecting to upstream"';
const SECOND_MS = 1000;

/** Servers that take requests while every server is up. */
function primaries(upstream: Upstream): UpstreamServer[] {
  return upstream.servers.filter((server) => !server.down && !server.backup);
}

/** Servers nginx may send a request to: primaries and backups, not `down` ones. */
function reachable(upstream: Upstream): UpstreamServer[] {
  return upstream.servers.filter((server) => !server.down);
}

/** The server's `name=value` parameter set to `value`, replacing a written one or appended. */
function setParameter(server: UpstreamServer, name: string, value: string): TextChange[] {
  const args = server.node.directive.args.map((arg) => arg.raw);
  const index = args.findIndex((raw, position) => position > 0 && raw.startsWith(`${name}=`));
  if (index === -1) args.splice(1, 0, `${name}=${value}`);
  else args[index] = `${name}=${value}`;
  return replaceArgs(server.node, args);
}

/** The upstream blocks some `*_pass` sends requests to: an unused block fails nobody. */
function usedUpstreams(model: Model): Set<Upstream> {
  const used = new Set<Upstream>();
  for (const pass of model.proxyPasses) if (pass.target.kind === 'upstream') used.add(pass.target.upstream);
  return used;
}

/** The shortest restart interval known for the services behind the upstream's primary servers. */
function shortestRestartInterval(model: Model, upstream: Upstream): { service: ServiceFacts; interval: Fact<number> } | null {
  let shortest: { service: ServiceFacts; interval: Fact<number> } | null = null;
  for (const { service, server } of model.servicesBehindUpstream(upstream)) {
    const interval = service.restartInterval;
    if (server.down || server.backup || !interval || interval.value <= 0) continue;
    if (!shortest || interval.value < shortest.interval.value) shortest = { service, interval };
  }
  return shortest;
}

/** `fail_timeout=10s (the default)` or `fail_timeout=30s`. */
function failTimeoutText(server: UpstreamServer): string {
  const written = server.node.directive.args.some((arg) => arg.value.startsWith('fail_timeout='));
  const value = `fail_timeout=${formatNginxTime(server.failTimeoutMs ?? 0, { seconds: true })}`;
  return written ? value : `${value} (the default)`;
}

/** A name may resolve to several addresses, each a server of its own to nginx; an IP address or a socket is one. */
function isOneAddress(server: UpstreamServer): boolean {
  return server.unix !== null || (server.host !== null && isIpAddress(server.host));
}

export default defineRule({
  meta: {
    id: 'upstream-failover-ineffective',
    description:
      'An upstream whose fail_timeout or retry limit turns one failing server into 502s: its only live server gets marked down, fail_timeout outlasts a rolling restart, or *_next_upstream_tries 1 forbids trying another server.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // max_fails=0 on the only server nginx can use and one retry on another server only remove 502s; the
    // fail_timeout fix lowers it to itself unsafe (see the report).
    fixSafety: 'safe',
    messages: {
      soleServerMarkedDown:
        'upstream {{upstream}} has one live server beside {{downServers}} marked down: one failure marks it down for {{failTimeout}}, 502 "no live upstreams" even once it is back; add max_fails=0',
      failTimeoutOutlastsRestart:
        '{{failTimeout}} is not shorter than the {{interval}} between restarts of {{service}}: a rolling restart marks every server of upstream {{upstream}} down, 502 "no live upstreams"; use {{fixed}}',
      singleTry:
        '{{statement}} stops a failed request from being retried on another server of {{targets}}: 502/504 instead of a retry; use {{name}} 2',
    },
    details: {
      soleServerMarkedDown:
        'upstream {{upstream}} has one server that takes requests ({{server}}) beside {{downServers}} marked down and no backup server. With another server line in the block, nginx counts failures for it: after {{maxFails}} failed attempt(s) within {{failTimeout}} it marks the server down and answers every request with {{noLive}} until {{failTimeout}} has passed, even if the application was back a second later (measured: a 1 s outage with fail_timeout=30s cost 86 of 100 requests, against 19 of 100 with the down line removed). Marking the only usable server down never sends a request anywhere else: add max_fails=0 to it{{nameCaveat}}',
      failTimeoutOutlastsRestart:
        '{{server}} has {{failTimeout}}, and {{intervalOrigin}} says instances of {{service}} restart {{interval}} apart. nginx marks an instance down for fail_timeout after it failed, so when the next instance restarts the first is still marked down: with every server of upstream {{upstream}} marked down, nginx answers {{noLive}} while both are running again (lab: 1056 of 2400 requests with 2 s between restarts and the default 10s). Use {{fixed}}, shorter than the interval, so each server is tried again before the next one goes down',
      singleTry:
        '{{statement}}: nginx tries one server per request, so when it refuses or resets the connection or times out, the request fails with 502 or 504 instead of going to another server of {{targets}} (measured: one dead server of two cost 40 of 80 requests with max_fails=0, 1 per fail_timeout with the default, and 0 with {{name}} 2). Use {{name}} 2: POST, PATCH and LOCK requests that were sent are still not retried',
    },
  },
  check({ model, report }) {
    const used = usedUpstreams(model);
    for (const upstream of used) {
      // With `resolve` the servers change at run time; nothing here can say how many there are.
      if (upstream.hasResolve) continue;
      const live = primaries(upstream);
      const downServers = upstream.servers.filter((server) => server.down);
      const backups = upstream.servers.filter((server) => server.backup && !server.down);

      // A block with exactly one server line is `single` to nginx, which then ignores max_fails (measured). A second
      // line, even `down`, makes nginx count failures of the one that is left.
      const [sole] = live;
      if (live.length === 1 && sole && backups.length === 0 && downServers.length > 0 && sole.maxFails !== 0 && sole.maxFails !== null) {
        const oneAddress = isOneAddress(sole);
        report({
          node: sole.node,
          messageId: 'soleServerMarkedDown',
          data: {
            upstream: upstream.name,
            server: sole.addressToken.value,
            downServers: listAnd(downServers.map((server) => server.addressToken.value)),
            maxFails: sole.maxFails,
            failTimeout: failTimeoutText(sole),
            noLive: NO_LIVE_UPSTREAMS,
            nameCaveat: oneAddress
              ? ''
              : ` — unless ${sole.host ?? sole.addressToken.value} resolves to several addresses, which nginx treats as several servers`,
          },
          fix: setParameter(sole, 'max_fails', '0'),
          // A name that resolves to several addresses is several servers, and marking one down then helps.
          ...(oneAddress ? {} : { fixSafety: 'unsafe' as const }),
        });
      }

      if (live.length >= 2) {
        const restart = shortestRestartInterval(model, upstream);
        if (restart) {
          const interval = restart.interval.value;
          // fail_timeout is stored in whole seconds; half the interval leaves room for the restart itself.
          const seconds = Math.floor(interval / 2 / SECOND_MS);
          for (const server of live) {
            if (server.maxFails === 0 || server.failTimeoutMs === null || server.failTimeoutMs < interval) continue;
            const fixed = seconds >= 1 ? `fail_timeout=${seconds}s` : 'max_fails=0';
            report({
              node: server.node,
              messageId: 'failTimeoutOutlastsRestart',
              data: {
                upstream: upstream.name,
                server: server.addressToken.value,
                failTimeout: failTimeoutText(server),
                interval: formatNginxTime(interval),
                intervalOrigin: restart.interval.origin.label,
                service: restart.service.name,
                fixed,
                noLive: NO_LIVE_UPSTREAMS,
              },
              fix: seconds >= 1 ? setParameter(server, 'fail_timeout', `${seconds}s`) : setParameter(server, 'max_fails', '0'),
              // The interval is a declared fact that can go stale, and a shorter fail_timeout sends a request to a
              // dead server more often: for a black-holed one, each waits proxy_connect_timeout before its retry.
              fixSafety: 'unsafe',
            });
          }
        }
      }
    }

    // One finding per `*_next_upstream_tries 1` statement, naming every upstream with somewhere else to go.
    const singleTries = new Map<ConfigNode, Set<Upstream>>();
    for (const pass of model.proxyPasses) {
      if (pass.target.kind !== 'upstream') continue;
      const policy = retryPolicyOf(model, pass);
      if (policy.tries !== 1 || !policy.triesSetBy || policy.conditions.includes('off')) continue;
      if (reachable(pass.target.upstream).length < 2) continue;
      const targets = singleTries.get(policy.triesSetBy) ?? new Set<Upstream>();
      targets.add(pass.target.upstream);
      singleTries.set(policy.triesSetBy, targets);
    }
    for (const [node, upstreams] of singleTries) {
      const names = [...upstreams].map((upstream) => `${upstream.name} (${reachable(upstream).length} servers)`);
      report({
        node,
        messageId: 'singleTry',
        data: {
          statement: statementText(node),
          name: node.directive.name,
          targets: `${names.length === 1 ? 'upstream' : 'upstreams'} ${listAnd(names)}`,
        },
        fix: replaceArgs(node, ['2']),
      });
    }
  },
});
