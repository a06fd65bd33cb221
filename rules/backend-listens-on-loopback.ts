/**
 * A `*_pass` or upstream `server` that reaches a Compose service whose server listens on its own container's loopback
 * address only: uvicorn without `--host`, `manage.py runserver` without an address, `flask run` without `--host`,
 * `gunicorn --bind 127.0.0.1:8000`. nginx connects to the container's network address, where nothing listens, so
 * the connection is refused and nginx answers 502 (measured: test/reality/backend-listens-on-loopback.test.ts).
 *
 * A target on nginx's own loopback (a program supervisord starts beside nginx) is not this case: that is the
 * address the program listens on.
 */
import type { ServiceBehind } from '../src/model/index.js';
import { defineRule, type RuleContext } from '../src/lint/rule.js';
import type { ConfigNode } from '../src/load/tree.js';

const REFUSED = '"connect() failed (111: Connection refused) while connecting to upstream"';

function report(context: RuleContext<Record<string, unknown>>, node: ConfigNode, subject: string, match: ServiceBehind, othersServe: boolean): void {
  const fact = match.service.loopbackOnly!;
  context.report({
    node,
    messageId: othersServe ? 'loopbackRetried' : 'loopback',
    data: {
      subject,
      service: match.service.name,
      server: match.service.server ?? 'its server',
      evidence: fact.origin.label,
      refused: REFUSED,
    },
    ...(othersServe ? { severity: 'warn' as const } : {}),
  });
}

export default defineRule({
  meta: {
    id: 'backend-listens-on-loopback',
    description:
      "A `proxy_pass` or upstream `server` reaches a service whose server listens on its own container's 127.0.0.1 only: the connection is refused, and every request gets 502.",
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      loopback: '{{subject}}: {{service}} listens on 127.0.0.1 inside its own container ({{evidence}}), so nginx is refused: every request gets 502',
      loopbackRetried:
        '{{subject}}: {{service}} listens on 127.0.0.1 inside its own container ({{evidence}}), so nginx is refused and this server takes no traffic',
    },
    details: {
      loopback:
        "{{subject}}: {{service}}'s {{server}} listens on 127.0.0.1 inside its own container ({{evidence}}). nginx connects to the container's network address, where nothing listens: every request gets 502 {{refused}}. Make it listen on every address (uvicorn --host 0.0.0.0, runserver 0.0.0.0:8000, flask run --host 0.0.0.0, gunicorn --bind 0.0.0.0:8000)",
      loopbackRetried:
        "{{subject}}: {{service}}'s {{server}} listens on 127.0.0.1 inside its own container ({{evidence}}). nginx connects to the container's network address, where nothing listens: it logs {{refused}} and retries the request on another server of the upstream, so this server takes no traffic. Make it listen on every address (uvicorn --host 0.0.0.0, runserver 0.0.0.0:8000, flask run --host 0.0.0.0, gunicorn --bind 0.0.0.0:8000)",
    },
  },
  check(context) {
    const { model } = context;
    // A target on nginx's own loopback reaches a program beside nginx (`matchedBy: 'loopback'`), where 127.0.0.1 is right.
    const listensOnLoopback = (match: ServiceBehind) => match.matchedBy !== 'loopback' && match.service.loopbackOnly !== undefined;

    for (const pass of model.proxyPasses) {
      if (pass.target.kind !== 'host' && pass.target.kind !== 'variable') continue;
      for (const match of model.servicesBehind(pass)) {
        if (!listensOnLoopback(match)) continue;
        report(context, pass.node, `${pass.node.directive.name} to ${match.address.host}:${match.address.port}`, match, false);
      }
    }

    for (const upstream of model.upstreams.values()) {
      const serving = upstream.servers.filter((server) => !server.down);
      const refused = model.servicesBehindUpstream(upstream).filter((match) => !match.server.down && listensOnLoopback(match));
      for (const match of refused) {
        const subject = `server ${match.address.host}:${match.address.port} in upstream ${upstream.name}`;
        report(context, match.server.node, subject, match, refused.length < serving.length);
      }
    }
  },
});
