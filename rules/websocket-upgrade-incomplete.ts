/**
 * A location that forwards the client's `Upgrade` header (a websocket endpoint) but not the rest of the handshake:
 * nginx speaks HTTP/1.0 to the backend (the `proxy_http_version` default before 1.29.7), or sends a `Connection` header
 * that is not `upgrade` for an upgrade request (nginx's default `Connection: close`, a fixed value, a `map` of
 * another variable than `$http_upgrade` that gives no `upgrade`). `Upgrade` is a hop-by-hop header: the backend switches protocols only on an HTTP/1.1
 * request carrying `Connection: upgrade`. Measured with real nginx and a Node backend
 * (test/reality/websocket-upgrade-incomplete.test.ts): the handshake gets the backend's ordinary answer instead of
 * `101 Switching Protocols`, so every websocket connection fails — no 502, and no nginx error_log line to find it by.
 */
import { defineRule } from '../src/lint/rule.js';
import { connectionForOrdinaryRequests, connectionVariableValues, forwardsUpgrade, speaksHttp10 } from '../src/model/keepalive.js';
import { statementText } from '../src/load/tree.js';
import { listAnd } from '../src/wording.js';

export default defineRule({
  meta: {
    id: 'websocket-upgrade-incomplete',
    description:
      'A location forwards `Upgrade` but speaks HTTP/1.0 to the backend or sends no `Connection: upgrade` with it: websocket handshakes never get 101.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      incomplete: '{{location}} forwards Upgrade but {{missing}}: websocket handshakes never get 101 Switching Protocols',
    },
    details: {
      incomplete:
        "{{location}} sets proxy_set_header Upgrade, but {{missing}}. The backend switches protocols only for an HTTP/1.1 request that carries Connection: upgrade, so every websocket handshake through here gets its ordinary answer instead of 101 (measured with real nginx) and the client fails to connect, with nothing in the error log. Use proxy_http_version 1.1 and proxy_set_header Connection $connection_upgrade with map $http_upgrade $connection_upgrade { default upgrade; '' ''; } (or Connection \"upgrade\" where only websockets come).",
    },
  },
  check({ model, report }) {
    const seen = new Set<unknown>();
    for (const pass of model.proxyPasses) {
      if (pass.module !== 'proxy' || !forwardsUpgrade(model, pass)) continue;
      const location = model.enclosing(pass.node, ['location']) ?? pass.node;
      if (seen.has(location)) continue;
      seen.add(location);
      const missing: string[] = [];
      if (speaksHttp10(model, pass.node)) missing.push('speaks HTTP/1.0 to the backend');
      const connectionHeader = model.effectiveHeader(pass.node, 'proxy_set_header', 'Connection');
      const connection = connectionHeader.value;
      const mapped = connectionForOrdinaryRequests(model, pass);
      // What an upgrade request gets: a literal with `upgrade`, a map of $http_upgrade whose default says upgrade, or a
      // variable's values (null: unknown here, nothing claimed).
      const upgradeValues = mapped
        ? [model.mapOf(connection!.replace(/^\$\{?|\}$/g, ''))?.entries.find((entry) => entry.key === 'default')?.value ?? '']
        : connection === null
          ? ['close']
          : connectionVariableValues(model, pass, connection);
      if (upgradeValues !== null && !upgradeValues.some((value) => /(^|[\s,])upgrade($|[\s,])/i.test(value))) {
        missing.push(connectionHeader.node === null ? 'sends nginx\'s default "Connection: close"' : `sends "Connection: ${connection}" for it`);
      }
      if (missing.length === 0) continue;
      const upgradeHeader = model.effectiveHeader(pass.node, 'proxy_set_header', 'Upgrade').node ?? pass.node;
      report({ node: upgradeHeader, messageId: 'incomplete', data: { location: statementText(location), missing: listAnd(missing) } });
    }
  },
});
