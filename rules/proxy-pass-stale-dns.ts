/**
 * nginx resolves a host name written in a `*_pass` without variables, or in an upstream `server` without `resolve`,
 * once, when it loads the configuration, and never again until a reload. When the service behind the name gets a new
 * address, nginx keeps connecting to the old one (measured: test/reality/proxy-pass-stale-dns.test.ts — after the
 * backend moved from 127.0.0.2 to 127.0.0.3 and DNS and the hosts file said so, 10 of 10 requests 502 `connect()
 * failed (111: Connection refused)` to 127.0.0.2, a `resolver` in effect or not; a variable with a resolver followed
 * the move, 10 of 10 200).
 *
 * Only for names of services whose address is known to change: a Compose service's container (new address on each
 * recreation, unless `ipv4_address` fixes it), a headless Kubernetes Service (the pods), an ExternalName Service.
 * Not for an ordinary Kubernetes Service (its cluster IP is stable) nor for names the repository says nothing about.
 */
import type { ServiceAddressing } from '../src/context/index.js';
import { defineRule } from '../src/lint/rule.js';
import type { ConfigNode } from '../src/load/tree.js';
import type { Token } from '../src/syntax/ast.js';
import { isIpAddress, type ServiceBehind } from '../src/model/index.js';
import { compareNginxVersions } from '../src/nginx/version.js';

/** `server … resolve` in an upstream block of open-source nginx. */
const SERVER_RESOLVE_SINCE = '1.27.3';

const WHY: Readonly<Record<ServiceAddressing['value'], string | null>> = {
  container: 'Compose gives its container a new address each time it recreates it',
  pods: 'it is a headless Service, whose name resolves to the pods, new on every rollout',
  external: 'it is an ExternalName Service, a CNAME to addresses someone else changes',
  fixed: null,
  virtual: null,
};

export default defineRule({
  meta: {
    id: 'proxy-pass-stale-dns',
    description:
      'A `proxy_pass` or upstream `server` names a Compose service or headless Kubernetes Service, which nginx resolves once at start-up: after the service is recreated, requests go to its old address.',
    category: 'reliability',
    severity: 'warn',
    presets: ['strict'],
    fixable: false,
    messages: {
      resolvedOnce:
        '{{host}} is looked up once, at start-up: when service {{service}} is recreated with a new address, nginx keeps sending to the old one until reloaded',
    },
    details: {
      resolvedOnce:
        'nginx resolves {{host}} when it loads the configuration and never again, with or without a resolver in effect. {{service}} ({{origin}}) gets new addresses: {{why}}. After that every request goes to the old address: 502 "connect() failed (111: Connection refused)" when nothing listens there (measured), a timeout or "no route to host" on a real network, or another container that has taken the address. {{remedy}}',
    },
  },
  check({ model, report }) {
    const version = model.nginxVersion.version;
    const canResolve = compareNginxVersions(version, SERVER_RESOLVE_SINCE) >= 0;
    const remedy = canResolve
      ? `With nginx ${version}, put it in an upstream block with a zone and write "server HOST:PORT resolve;", with a resolver in effect (127.0.0.11 inside Docker, the cluster DNS in Kubernetes, valid=10s or so): nginx then follows the name's address as it changes, and keeps the upstream block's keepalive pool and failure accounting.`
      : `nginx ${version} cannot re-resolve an upstream server (server … resolve is in open-source nginx from ${SERVER_RESOLVE_SINCE}): either upgrade, or put the URL in a variable (set $backend http://HOST:PORT; proxy_pass $backend;) with a resolver in effect (127.0.0.11 inside Docker, valid=10s or so), in every pass that names this host and port, since a variable naming the host and port of a pass without variables reuses its start-up address. That costs: the resolver does not read /etc/hosts (Compose extra_hosts stop applying to it), no upstream block (no keepalive pool, no max_fails/fail_timeout, no backup server), and a URI in the variable replaces the request's whole URI.`;

    const reportAt = (match: ServiceBehind, node: ConfigNode, token: Token | undefined): void => {
      const { service, address } = match;
      const why = service.addressing ? WHY[service.addressing.value] : null;
      if (why === null || match.matchedBy !== 'host' || isIpAddress(address.host)) return;
      report({
        node,
        token,
        messageId: 'resolvedOnce',
        data: {
          host: address.host,
          service: service.name,
          origin: service.addressing!.origin.label,
          why,
          remedy: remedy.replaceAll('HOST:PORT', `${address.host}:${address.port}`),
        },
      });
    };

    for (const pass of model.proxyPasses) {
      if (pass.target.kind !== 'host') continue;
      for (const match of model.servicesBehind(pass)) reportAt(match, pass.node, pass.node.directive.args[0]);
    }
    for (const upstream of model.upstreams.values()) {
      for (const match of model.servicesBehindUpstream(upstream)) {
        if (match.server.resolve || match.server.down) continue;
        reportAt(match, match.server.node, match.server.addressToken);
      }
    }
  },
});
