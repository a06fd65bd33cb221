/**
 * A `*_pass` or upstream `server` whose host is a known service but whose port is none the service listens on:
 * nothing accepts the connection, so nginx answers 502 (lab scenario 3: 20 of 20 requests,
 * `connect() failed (111: Connection refused) while connecting to upstream`).
 *
 * For `fastcgi_pass` to PHP-FPM from the official `php:*-fpm` image, which declares no port in Compose, the port is
 * the image's own `listen = 9000`; a finding resting on it is a warning and rewrites nothing.
 *
 * Only `portMismatch` is reported — every service answering to the host has known ports and none contains the
 * target's — never a merely unknown port, so a service whose ports are not declared or come from a variable is
 * given the benefit of the doubt (docs/services.md).
 */
import type { TextRange, Upstream } from '../src/model/index.js';
import { listOr } from '../src/wording.js';
import { defineRule, type RuleContext, type TextChange } from '../src/lint/rule.js';
import type { PortFact, ServiceFacts, ServiceMatch } from '../src/context/index.js';
import type { ConfigNode } from '../src/load/tree.js';

const REFUSED = '"connect() failed (111: Connection refused) while connecting to upstream"';

/** Where the port is written, or where it would go when none is. */
interface PortSite {
  readonly node: ConfigNode;
  /** The port digits; null when the port is implicit (80 for `http://` and `server`, 443 for `https://`). */
  readonly portRange: TextRange | null;
  /** The host, to point at and to put `:PORT` after when the port is implicit. */
  readonly hostRange: TextRange | null;
}

function portsText(fact: PortFact): string {
  return fact.value === fact.lastPort ? `${fact.value}` : `${fact.value}-${fact.lastPort}`;
}

/** `8080 (compose.yaml:27 maps 9000:8080)`, `3000 (.nginx-lint.json services.api.port)`. */
function describePort(fact: PortFact): string {
  const source = fact.published === null ? fact.origin.label : `${fact.origin.label} maps ${fact.text}`;
  return `${portsText(fact)} (${source}${fact.basis === 'default' ? ', assumed' : ''})`;
}

/**
 * Whether every port the services answering to the host are known by is an image's default (PHP-FPM's 9000 in
 * `php:*-fpm`), not something the repository states: the finding is then a warning, and no port is rewritten.
 */
function restsOnAssumedPorts(match: ServiceMatch): boolean {
  return answering(match)
    .flatMap(tcpPorts)
    .every((fact) => fact.basis === 'default');
}

/** The ports an HTTP target can use: TCP ones, the only kind `match` compares a proxy target with. */
function tcpPorts(service: ServiceFacts): PortFact[] {
  return service.ports.filter((fact) => fact.protocol === 'tcp');
}

/** The services answering to the target's host: the one `match` chose first, then the others. */
function answering(match: ServiceMatch): ServiceFacts[] {
  return [match.service, ...match.alternatives];
}

/** How the service is named for a target that reached it through `host`. */
function serviceSubject(match: ServiceMatch, service: ServiceFacts, host: string, upstream: Upstream | null): string {
  if (match.matchedBy === 'upstream' && upstream) return `upstream ${upstream.name} is service ${service.name}, which`;
  return host.toLowerCase() === service.name.toLowerCase() ? service.name : `${host} (service ${service.name})`;
}

/** `orders listens on 8080 (compose.yaml:27 maps 9000:8080)`, for the matched service and any sharing its host. */
function listeningClause(match: ServiceMatch, host: string, upstream: Upstream | null): string {
  return answering(match)
    .map((service) => `${serviceSubject(match, service, host, upstream)} listens on ${listOr(tcpPorts(service).map(describePort))}`)
    .join('; ');
}

/**
 * Whether the port written is the host side of a Compose mapping: the port Docker publishes on the host, which nginx
 * inside the Compose network does not see.
 */
function usesPublishedPort(match: ServiceMatch, port: number): boolean {
  return answering(match)
    .flatMap(tcpPorts)
    .some((fact) => fact.published === String(port));
}

/** The port to write when exactly one fits: a single service with a single port, not a range. */
function onlyPort(match: ServiceMatch): number | null {
  const ports = answering(match).flatMap(tcpPorts);
  const [only] = ports;
  return ports.length === 1 && only !== undefined && only.value === only.lastPort ? only.value : null;
}

function portFix(site: PortSite, port: number): TextChange[] | undefined {
  const file = site.node.directive.file;
  if (site.portRange) return [{ file, start: site.portRange.start, end: site.portRange.end, text: `${port}` }];
  if (site.hostRange) return [{ file, start: site.hostRange.end, end: site.hostRange.end, text: `:${port}` }];
  return undefined;
}

interface Mismatch {
  readonly site: PortSite;
  /** `proxy_pass to orders:8000`, `server orders:8000 in upstream orders`: what the finding is about. */
  readonly subject: string;
  readonly host: string;
  readonly port: number;
  readonly match: ServiceMatch;
  /** The upstream block of a `server` line; null for a `*_pass` that names the host itself. */
  readonly upstream: Upstream | null;
  /**
   * Another server of the upstream can take the request: nginx retries there (lab scenario 11: one refusing server
   * of two, 0 errors of 80), so the finding is a warning.
   */
  readonly othersServe: boolean;
}

function report(context: RuleContext<Record<string, unknown>>, mismatch: Mismatch): void {
  const { site, subject, host, port, match, upstream, othersServe } = mismatch;
  const mixUpNote = usesPublishedPort(match, port) ? `; ${port} is the port published on the Docker host, not the one inside the network` : '';
  const consequence =
    upstream && othersServe
      ? `nginx logs ${REFUSED} and retries the request on another server of upstream ${upstream.name}, so clients see no error unless proxy_next_upstream is off, but this server takes no traffic`
      : `every request${upstream ? ` to upstream ${upstream.name}` : ''} gets 502 ${REFUSED}`;
  const assumed = restsOnAssumedPorts(match);
  const fixedPort = onlyPort(match);
  const advice = fixedPort === null ? 'use one of these ports' : `use ${host}:${fixedPort}`;
  // An assumed port is not rewritten: the image's configuration may have been changed where nginx-lint cannot see.
  const fix = fixedPort === null || assumed ? undefined : portFix(site, fixedPort);
  const range = site.portRange ?? site.hostRange;
  context.report({
    node: site.node,
    ...(range ? { span: { file: site.node.directive.file, start: range.start, end: range.end } } : {}),
    messageId: 'mismatch',
    data: {
      subject,
      listening: listeningClause(match, host, upstream),
      mixUp: mixUpNote,
      shortConsequence: upstream && othersServe ? 'this server takes no traffic' : 'every request gets 502',
      consequence,
      advice,
    },
    ...(othersServe || assumed ? { severity: 'warn' as const } : {}),
    ...(fix ? { fix } : {}),
  });
}

/** `orders:8000`, or `orders (port 80, the default)` when no port is written. */
function addressText(host: string, port: number, portExplicit: boolean): string {
  return portExplicit ? `${host}:${port}` : `${host} (port ${port}, the default)`;
}

export default defineRule({
  meta: {
    id: 'proxy-pass-port-mismatch',
    description: 'A `proxy_pass` or upstream `server` names a known service on a port that service does not listen on: every request gets 502.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // Only where the service listens on exactly one port, read from the repository: the old port was refused.
    fixSafety: 'safe',
    messages: {
      mismatch: '{{subject}}, but {{listening}}: {{shortConsequence}}; {{advice}}',
    },
    details: {
      mismatch: '{{subject}}, but {{listening}}{{mixUp}}: {{consequence}}; {{advice}}',
    },
  },
  check(context) {
    const { model } = context;

    for (const pass of model.proxyPasses) {
      // Passes to an upstream block are checked with its servers below. A variable only in the URI
      // (`http://api:8000$request_uri`) leaves the host and the port as written.
      const target = pass.target.kind === 'host' ? pass.target : pass.target.kind === 'variable' ? pass.target.address : null;
      if (target === null) continue;
      for (const match of model.servicesBehind(pass)) {
        if (!match.portMismatch) continue;
        const { host, port } = match.address;
        report(context, {
          site: { node: pass.node, portRange: target.portRange, hostRange: target.hostRange },
          subject: `${pass.node.directive.name} to ${addressText(host, port, target.portExplicit)}`,
          host,
          port,
          match,
          upstream: null,
          othersServe: false,
        });
      }
    }

    // Every upstream block, not only those a `*_pass` names literally: `proxy_pass http://$backend` may pick any.
    for (const upstream of model.upstreams.values()) {
      // A `down` server never receives a request.
      const serving = upstream.servers.filter((server) => !server.down);
      const mismatched = model.servicesBehindUpstream(upstream).filter((match) => !match.server.down && match.portMismatch);
      const othersServe = mismatched.length < serving.length;
      for (const match of mismatched) {
        const { server } = match;
        const { host, port } = match.address;
        report(context, {
          site: { node: server.node, portRange: server.portRange, hostRange: server.hostRange },
          subject: `server ${addressText(host, port, server.portExplicit)} in upstream ${upstream.name}`,
          host,
          port,
          match,
          upstream,
          othersServe,
        });
      }
    }
  },
});
