/**
 * The service facts of a program supervisord starts beside nginx (src/context/supervisord.ts): the application server
 * its `command=` runs, read as a Compose service's command is (src/context/app-servers.ts), with the supervisord file
 * and line as the origin of every fact. Such a program has no host name: nginx reaches it on a loopback address of its
 * own container, or on a unix socket, which src/model/services-behind.ts matches by port or path.
 */
import { closesConnectionsFact, inferAppServer, unixSocketOf, type InferredValue, type ProcessSpec } from './app-servers.js';
import type { SupervisedProgram } from './supervisord.js';
import type { FactOrigin, ServiceFacts } from './types.js';

/** A bind host nginx reaches over loopback: none (every address), a wildcard, or a loopback address. */
const LOOPBACK_REACHABLE = /^(?:|\*|0\.0\.0\.0|\[::\]|::|localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Whether the evidence of a port (`--bind 10.0.0.5:8000`, `-b 127.0.0.1:8000`, `--port 8000`) names a host a loopback
 * connection reaches: a port bound to another interface is not where nginx's `127.0.0.1` connects.
 */
function reachableOverLoopback(port: InferredValue): boolean {
  const address = /(?:tcp:\/\/)?([^\s=]*):\d{1,5}\/?$/.exec(port.evidence);
  return address === null || LOOPBACK_REACHABLE.test(address[1]!);
}

/**
 * Facts for every program, its command read with the container's environment (what supervisord itself runs with: the
 * image's ENV, the Compose service's environment) under its own `environment=`: one whose server nginx-lint does not know has none, and no port, which keeps a pass to
 * another loopback port from being called a mismatch. Its port is only the one a flag names (`--bind 127.0.0.1:8000`),
 * its socket the absolute path a flag names (`--bind unix:/run/gunicorn.sock`).
 */
export function supervisedServiceFacts(
  program: SupervisedProgram,
  files: Pick<ProcessSpec, 'readFile' | 'listFiles'> = {},
  containerEnvironment: Readonly<Record<string, string>> = {},
): ServiceFacts {
  const line = Number(/:(\d+)$/.exec(program.origin)?.[1] ?? NaN);
  const origin: FactOrigin = { file: program.file ?? program.origin, line: Number.isNaN(line) ? null : line, keyPath: null, label: program.origin };
  const inferred = inferAppServer({ image: null, words: program.words, environment: { ...containerEnvironment, ...program.environment }, ...files });
  const fact = (value: InferredValue, text: string) => ({
    value: value.value,
    text,
    basis: value.basis,
    origin: { ...origin, label: `${origin.label} ${value.evidence}` },
  });
  const ports = (inferred?.port ? [inferred.port, ...(inferred.otherPorts ?? [])] : []).filter(reachableOverLoopback);
  const sockets = [...(inferred ? [unixSocketOf(program.words)].flatMap((socket) => socket ?? []) : []), ...(inferred?.sockets ?? [])];
  return {
    name: program.name,
    origin,
    definitions: [origin],
    hosts: [],
    ports: ports.map((port) => ({ ...fact(port, String(port.value)), lastPort: port.value, protocol: 'tcp' as const, published: null })),
    unresolvedPorts: [],
    ...(sockets.length > 0
      ? {
          sockets: sockets.map((socket) => ({
            value: socket.path,
            text: socket.path,
            basis: 'flag' as const,
            origin: { ...origin, label: `${origin.label} ${socket.evidence}` },
          })),
        }
      : {}),
    p99: null,
    keepAliveTimeout: inferred?.keepAliveTimeout ? fact(inferred.keepAliveTimeout, `${inferred.keepAliveTimeout.value / 1000}s`) : null,
    maxResponseHeaderSize: null,
    restartInterval: null,
    ...(inferred ? { server: inferred.server } : {}),
    ...(inferred?.closesConnections ? { closesConnections: closesConnectionsFact(inferred.closesConnections, origin) } : {}),
    ...(inferred?.requestTimeout ? { requestTimeout: fact(inferred.requestTimeout, `${inferred.requestTimeout.value / 1000}s`) } : {}),
  };
}
