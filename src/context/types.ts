/**
 * Facts about the applications nginx proxies to, each with the place it was read from, so a finding can say
 * "compose.yaml:14 exposes 8080" and the reader can go and look.
 */

/** Where a fact was read from. */
export interface FactOrigin {
  /** Absolute path of the file. */
  readonly file: string;
  /** 1-based line of the YAML node; null for facts from the linter config, which arrive without positions. */
  readonly line: number | null;
  /** The key path inside the linter config (`services.api.port`); null for YAML files. */
  readonly keyPath: string | null;
  /**
   * For messages: the file relative to the nginx config's directory, then `:line` or ` keyPath` —
   * `compose.yaml:14`, `../deploy/k8s.yaml:3`, `.nginx-lint.json services.api.port`.
   */
  readonly label: string;
}

export interface Fact<Value> {
  readonly value: Value;
  /**
   * How the value is known: `declared` for nginx-lint (config, `x-nginx-lint`, annotations; the default when absent),
   * `flag` read from the service's own command or environment, `default` assumed from its server's documented
   * default. Findings resting on an assumed value are warnings and say so.
   */
  readonly basis?: 'declared' | 'flag' | 'default';
  /** The value as written (`"2.5s"`, `"9000:9001"`), for messages. */
  readonly text: string;
  readonly origin: FactOrigin;
}

/** A port, or a range of ports, the application listens on inside its network. */
export interface PortFact extends Fact<number> {
  /** The last port of a range (`"3000-3005"`); equal to `value` for a single port. */
  readonly lastPort: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  /** For a Compose port mapping: the host side as written (`"9000"` of `"9000:9001"`), to explain a mix-up. */
  readonly published: string | null;
}

/** Everything known about one application, merged from every source that names it. */
export interface ServiceFacts {
  readonly name: string;
  /** Where the service is first defined: its key in the linter config, Compose file or Kubernetes manifest. */
  readonly origin: FactOrigin;
  /** Every origin that contributed facts, in priority order (linter config, `serviceFiles`, discovered files). */
  readonly definitions: readonly FactOrigin[];
  /** Host names the service answers to; the first is its name. Lower case. */
  readonly hosts: readonly Fact<string>[];
  /** Ports it listens on. Empty when no source says: then nothing can be concluded about a target's port. */
  readonly ports: readonly PortFact[];
  /**
   * Unix-domain sockets it listens on (`/run/gunicorn.sock`), read from the command of a program supervisord starts
   * beside nginx; absent for other services.
   */
  readonly sockets?: readonly Fact<string>[];
  /**
   * Ports whose number cannot be known here: written with a `${VARIABLE}` in Compose, or a named `targetPort` of a
   * headless Kubernetes Service. While there are any, a target port missing from `ports` may still be right.
   */
  readonly unresolvedPorts: readonly Fact<string>[];
  /** 99th-percentile response time, in milliseconds. */
  readonly p99: Fact<number> | null;
  /** How long the application keeps an idle keep-alive connection open, in milliseconds. */
  readonly keepAliveTimeout: Fact<number> | null;
  /** The largest response header block the application sends, in bytes. */
  readonly maxResponseHeaderSize: Fact<number> | null;
  /**
   * The time between restarts of two instances during a rolling restart or deploy, in milliseconds: how soon after
   * one instance was down the next one goes down.
   */
  readonly restartInterval: Fact<number> | null;
  /** The application server its command or image runs (`uvicorn`, `Node.js`), when nginx-lint recognised one. */
  readonly server?: string;
  /**
   * The application closes every connection after its response (gunicorn's sync worker), read from its command: a
   * keep-alive pool to it would stay empty. Absent when not known to.
   */
  readonly closesConnections?: Fact<true>;
  /**
   * How long the application lets one request run before it kills the process handling it (gunicorn's sync worker
   * `--timeout`, 30 s by default): the connection closes without a response, and nginx answers 502. Absent when not
   * known.
   */
  readonly requestTimeout?: Fact<number>;
  /**
   * The application listens on its container's loopback address only (uvicorn's default `--host 127.0.0.1`, `manage.py
   * runserver` without an address): nginx in another container is refused. Read from a Compose service's command;
   * absent when not known to.
   */
  readonly loopbackOnly?: Fact<true>;
  /**
   * Request headers the application never reads, lower case (Anubis answering only `auth_request` checks reads no
   * `X-Forwarded-Proto`), read from its image and environment. Absent when not known.
   */
  readonly unreadHeaders?: Fact<readonly string[]>;
  /** What the service's names resolve to, for a service read from a Compose file or a manifest. */
  readonly addressing?: ServiceAddressing;
  /**
   * For a Kubernetes Service: the namespace and label selector of the pods it forwards to; for a headless Service
   * (`clusterIP: None`, clients connect to the pods) also whether its `spec.ports` list any port.
   */
  readonly selector?: {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly headless?: boolean;
    readonly portsListed?: boolean;
  };
}

/**
 * What a service's host names resolve to, and so whether the address changes while nginx runs:
 * - `container`: a Compose service's container, which gets an address from the network's pool each time it is
 *   created (`docker compose up` after a change, a crash with `restart`): a new address is usual;
 * - `fixed`: a Compose service with `ipv4_address`/`ipv6_address` on its networks: the same address every time;
 * - `pods`: a headless Kubernetes Service (`clusterIP: None`): the name resolves to the pods, new on every rollout;
 * - `external`: an `ExternalName` Service: a CNAME to a name elsewhere, whose addresses its owner changes;
 * - `virtual`: any other Kubernetes Service: its cluster IP, fixed while the Service exists, whatever the pods do.
 */
export type ServiceAddressing = Fact<'container' | 'fixed' | 'pods' | 'external' | 'virtual'>;

/** A service as given in the linter config's `services` key. Names of keys are the service names. */
export interface DeclaredService {
  /** Extra host names; the service's own name always counts. */
  readonly hosts?: readonly string[];
  /** A port, or a range such as `"3000-3005"`, optionally with `/udp`. */
  readonly port?: number | string;
  readonly ports?: readonly (number | string)[];
  /** Durations with a unit, fractions allowed: `"2.5s"`, `"800ms"`. */
  readonly p99?: string;
  readonly keepAliveTimeout?: string;
  /** Bytes, or an nginx size: `"12k"`, `"1m"`. */
  readonly maxResponseHeaderSize?: number | string;
  /** A duration with a unit: `"30s"`. */
  readonly restartInterval?: string;
}

/** What an nginx proxy target looks like to the catalog. */
export interface ProxyTarget {
  /** The host of `proxy_pass` or of an upstream `server` line; case and a trailing dot do not matter. */
  readonly host: string;
  /** The port nginx connects to, defaults resolved (80 for `http://`, 443 for `https://`). */
  readonly port: number;
  /** The `upstream` block the target was reached through, if any. */
  readonly upstreamName?: string;
  /** `udp` for `stream` proxying of datagrams; default `tcp`. */
  readonly protocol?: 'tcp' | 'udp';
}

export interface ServiceMatch {
  readonly service: ServiceFacts;
  /**
   * `host`: the target's host is one of the service's hosts; `upstream`: the upstream block is named like it;
   * `loopback`: the target is a loopback address or a unix socket and the service a program supervisord starts in
   * nginx's container.
   */
  readonly matchedBy: 'host' | 'upstream' | 'loopback';
  /**
   * The target's port is one the service listens on, with the target's protocol. False both when the service
   * listens elsewhere and when its ports are unknown; `portMismatch` tells them apart.
   */
  readonly portKnown: boolean;
  /** The port fact that contains the target's port, when `portKnown`. */
  readonly port: PortFact | null;
  /**
   * The service's ports are all known and the target's is not among them: nginx connects to a port nothing listens
   * on. This is the conclusion a rule may report; `!portKnown` alone is not.
   */
  readonly portMismatch: boolean;
  /** Other services answering to the same host, which the target's port did not pick. */
  readonly alternatives: readonly ServiceFacts[];
}
