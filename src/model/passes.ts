/**
 * Where each `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `scgi_pass` and `grpc_pass` of the http context sends
 * requests, read the way the modules' `*_pass` handlers and `ngx_http_upstream_add` read it.
 *
 * Which upstream a static address means (ngx_http_upstream_add): the host is compared with every `upstream` block's
 * name, ignoring case. A match without a port is that block. A match with a port is a configuration error,
 * `upstream "app" may not have port 8080`, whichever of the two comes first in the file; nginx never treats
 * `app:8080` as a host then. Without a match, the host becomes an implicit upstream, resolved once at start-up by
 * the system resolver. A pass whose argument contains a variable is evaluated per request instead: the host then
 * names an upstream block only when no port is given, and anything else needs the `resolver` directive unless it is
 * an IP address (ngx_http_upstream_init_request, "no resolver defined to resolve …").
 */
import type { ConfigNode } from '../load/tree.js';
import type { Token } from '../syntax/ast.js';
import { type TextRange, parseAddress, spanInFile } from './address.js';
import type { EffectiveValue } from './inheritance.js';
import type { Upstream } from './upstreams.js';

export type PassModule = 'proxy' | 'fastcgi' | 'uwsgi' | 'scgi' | 'grpc';

/** The protocol nginx speaks to the server; uwsgi's `suwsgi` is uwsgi over TLS. */
export type PassScheme = 'http' | 'https' | 'grpc' | 'grpcs' | 'uwsgi' | 'suwsgi';

export interface UpstreamTarget {
  readonly kind: 'upstream';
  readonly upstream: Upstream;
  /** The name as written in the pass, which may differ in case from the block's. */
  readonly name: string;
  /** A port written after the upstream's name: nginx refuses the configuration. Null when there is none. */
  readonly rejectedPort: number | null;
  readonly portRange: TextRange | null;
}

export interface HostTarget {
  readonly kind: 'host';
  /** As written; IPv6 literals keep their brackets. */
  readonly host: string;
  /** The port nginx connects to; null when none is written and the module has no default (nginx then fails). */
  readonly port: number | null;
  readonly portExplicit: boolean;
  /** Where the host and the port digits are in the file, for findings and fixes; null when quoting hides them. */
  readonly hostRange: TextRange | null;
  readonly portRange: TextRange | null;
}

export interface UnixTarget {
  readonly kind: 'unix';
  readonly path: string;
}

export interface VariableTarget {
  readonly kind: 'variable';
  /** The argument, variables unexpanded. */
  readonly expression: string;
  /**
   * The expression with its one variable replaced by each value a `set` in the same server or a `map` gives it;
   * empty when the expression holds several variables or the variable's values are not known.
   */
  readonly candidates: readonly string[];
  readonly hasResolver: boolean;
  /**
   * The host and port when the variables are only in the URI (`http://read:3100$request_uri`): nginx resolves that
   * host at run time, but which service it is, and on which port, is written. Null when a variable may be part of
   * the address.
   */
  readonly address: {
    readonly host: string;
    readonly port: number;
    readonly portExplicit: boolean;
    /** Where the host and the port digits are in the file, as for a HostTarget. */
    readonly hostRange: TextRange | null;
    readonly portRange: TextRange | null;
  } | null;
}

/** nginx refuses the argument; `message` is nginx's (`invalid URL prefix in "…"`, `invalid port in "…"`). */
export interface InvalidTarget {
  readonly kind: 'invalid';
  readonly message: string;
}

export type PassTarget = UpstreamTarget | HostTarget | UnixTarget | VariableTarget | InvalidTarget;

export interface ProxyPass {
  readonly node: ConfigNode;
  readonly module: PassModule;
  /** Null for FastCGI and SCGI, which have no scheme, and when a variable holds the scheme. */
  readonly scheme: PassScheme | null;
  /** The block the pass stands in (location, `if`, `limit_except`); null at the top of a snippet file. */
  readonly location: ConfigNode | null;
  readonly target: PassTarget;
  /** The effective `resolver` where the pass stands. */
  readonly resolver: EffectiveValue;
}

interface ModuleSyntax {
  readonly module: PassModule;
  /** Accepted prefixes, matched ignoring case, with the scheme each means and its default port. */
  readonly schemes: readonly { readonly prefix: string; readonly scheme: PassScheme; readonly defaultPort: number | null }[];
  /** The scheme when no prefix is written, or null when a prefix is required (`proxy_pass`). */
  readonly bare: { readonly scheme: PassScheme | null } | null;
}

/**
 * From the modules' `*_pass` handlers. Only `proxy_pass` sets a default port (`u.default_port` 80 or 443); the
 * others leave it 0, so an implicit upstream without a port fails with "no port in upstream".
 */
const PASS_SYNTAX: ReadonlyMap<string, ModuleSyntax> = new Map([
  [
    'proxy_pass',
    {
      module: 'proxy',
      schemes: [
        { prefix: 'http://', scheme: 'http', defaultPort: 80 },
        { prefix: 'https://', scheme: 'https', defaultPort: 443 },
      ],
      bare: null,
    },
  ],
  [
    'grpc_pass',
    {
      module: 'grpc',
      schemes: [
        { prefix: 'grpc://', scheme: 'grpc', defaultPort: null },
        { prefix: 'grpcs://', scheme: 'grpcs', defaultPort: null },
      ],
      bare: { scheme: 'grpc' },
    },
  ],
  [
    'uwsgi_pass',
    {
      module: 'uwsgi',
      schemes: [
        { prefix: 'uwsgi://', scheme: 'uwsgi', defaultPort: null },
        { prefix: 'suwsgi://', scheme: 'suwsgi', defaultPort: null },
      ],
      bare: { scheme: 'uwsgi' },
    },
  ],
  ['fastcgi_pass', { module: 'fastcgi', schemes: [], bare: { scheme: null } }],
  ['scgi_pass', { module: 'scgi', schemes: [], bare: { scheme: null } }],
]);

export const PASS_DIRECTIVES: readonly string[] = [...PASS_SYNTAX.keys()];

/** `$name` and `${name}` references, as nginx's script compiler finds them. */
const VARIABLE_REFERENCE = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;

export interface PassContext {
  /** The block a statement belongs to (the inheritance level), null at the top of the file. */
  levelOf(node: ConfigNode): ConfigNode | null;
  upstreamNamed(name: string): Upstream | null;
  resolverAt(node: ConfigNode): EffectiveValue;
  /** Values a variable may hold where `node` stands, from `set` and `map`; empty when unknown. */
  variableValues(variable: string, node: ConfigNode): readonly string[];
}

/** The expression once for each known value of its only variable. */
function candidatesOf(expression: string, node: ConfigNode, context: PassContext): string[] {
  const references = [...expression.matchAll(VARIABLE_REFERENCE)];
  const reference = references.length === 1 ? references[0]! : null;
  if (!reference) return [];
  const before = expression.slice(0, reference.index);
  const after = expression.slice(reference.index + reference[0].length);
  const values = context.variableValues(reference[1] ?? reference[2]!, node);
  return [...new Set(values.map((value) => before + value + after))];
}

export function readPass(node: ConfigNode, context: PassContext): ProxyPass | null {
  const syntax = PASS_SYNTAX.get(node.directive.name);
  const token = node.directive.args[0];
  if (!syntax || !token || node.directive.args.length !== 1) return null;
  const text = token.value;
  const resolver = context.resolverAt(node);
  const location = context.levelOf(node);
  // One literal for every pass, rather than a spread of shared fields: a spread can give each object a hidden class
  // of its own, which on a large configuration costs memory and makes every rule's reads of a pass slow.
  const pass = (scheme: PassScheme | null, target: PassTarget): ProxyPass => ({ node, module: syntax.module, location, resolver, scheme, target });

  const written = syntax.schemes.find((candidate) => text.toLowerCase().startsWith(candidate.prefix));
  const scheme = written?.scheme ?? syntax.bare?.scheme ?? null;

  if (text.includes('$')) {
    return pass(
      // A variable at the start may hold the scheme as well.
      written !== undefined || !text.startsWith('$') ? scheme : null,
      {
        kind: 'variable',
        expression: text,
        candidates: candidatesOf(text, node, context),
        hasResolver: resolver.nodes.length > 0,
        address: written ? literalAddressOf(token, written.prefix.length, written.defaultPort ?? null, syntax.module === 'proxy') : null,
      },
    );
  }

  if (!written && !syntax.bare) return pass(null, { kind: 'invalid', message: `invalid URL prefix in "${text}"` });
  const addressStart = written?.prefix.length ?? 0;
  const address = parseAddress(text, addressStart, { uriPart: syntax.module === 'proxy' });
  if (address.kind === 'invalid') {
    return pass(scheme, { kind: 'invalid', message: `${address.reason} in upstream "${text.slice(addressStart)}"` });
  }
  if (address.kind === 'unix') return pass(scheme, { kind: 'unix', path: address.path });

  const portRange = address.portSpan && spanInFile(token, address.portSpan);
  const upstream = context.upstreamNamed(address.host);
  if (upstream) return pass(scheme, { kind: 'upstream', upstream, name: address.host, rejectedPort: address.port, portRange });
  return pass(scheme, {
    kind: 'host',
    host: address.host,
    port: address.port ?? written?.defaultPort ?? null,
    portExplicit: address.port !== null,
    hostRange: spanInFile(token, address.hostSpan),
    portRange,
  });
}

/** Variables that hold a request's URI or its arguments: after an address, they start the URI. */
const URI_VARIABLE = /^\$(?:request_uri|uri|document_uri|is_args|args|query_string)\b/;

/**
 * The address written before the first variable of a pass, when that variable starts the URI (`$request_uri`) or the
 * URI has started before it: `http://read:3100$request_uri` connects to read:3100 whatever the request.
 */
function literalAddressOf(token: Token, addressStart: number, defaultPort: number | null, uriPart: boolean): VariableTarget['address'] {
  const text = token.value;
  const variableAt = text.indexOf('$');
  if (variableAt <= addressStart) return null;
  const literal = text.slice(0, variableAt);
  if (!URI_VARIABLE.test(text.slice(variableAt)) && !/[/?]/.test(literal.slice(addressStart))) return null;
  const address = parseAddress(literal, addressStart, { uriPart });
  if (address.kind !== 'inet') return null;
  const port = address.port ?? defaultPort;
  if (port === null) return null;
  const portRange = address.portSpan && spanInFile(token, address.portSpan);
  return { host: address.host, port, portExplicit: address.port !== null, hostRange: spanInFile(token, address.hostSpan), portRange };
}
