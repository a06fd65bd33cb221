/**
 * A `*_pass` whose argument holds variables is evaluated for each request, and a host name in it is looked up
 * then, through the `resolver` directive: the system resolver (and /etc/hosts) serves only the names nginx resolves
 * at start-up. With no resolver in effect every such request fails with 502 `no resolver defined to resolve NAME`
 * (lab scenario 7: 10 of 10 requests, and the backend saw no connection at all).
 *
 * Which hosts need the lookup is model/variable-destinations.ts: not IP addresses, not an `upstream` block's name
 * written without a port, not a host and port that a `*_pass` without variables also names.
 *
 * No fix: the address of a DNS server nginx can reach depends on where it runs, and a wrong one still fails every
 * request.
 */
import { variableDestinations } from '../src/model/index.js';
import { defineRule } from '../src/lint/rule.js';
import { statementText } from '../src/load/tree.js';
import { listAnd, listOr } from '../src/wording.js';

export default defineRule({
  meta: {
    id: 'proxy-pass-variable-without-resolver',
    description:
      'A `proxy_pass` (or another `*_pass`) with variables proxies to a host name, which nginx then looks up per request, and no `resolver` is set: those requests get 502.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      noResolver: '{{statement}} looks up {{hosts}} per request, but no resolver is in effect: {{which}} get 502',
    },
    details: {
      noResolver:
        '{{subject}}, but no resolver is in effect here: {{which}} get 502 {{failures}}. Add a resolver (127.0.0.11 inside Docker), use an upstream block named in the variable without a port, or an IP address',
    },
  },
  check({ model, report }) {
    for (const pass of model.proxyPasses) {
      const { target } = pass;
      if (target.kind !== 'variable' || target.hasResolver) continue;
      const unresolved = variableDestinations(pass, model).filter((destination) => destination.addressFrom === 'resolver');
      if (unresolved.length === 0) continue;

      const hosts = [...new Set(unresolved.map((destination) => destination.host))];
      const statement = statementText(pass.node);
      // Without known values the argument itself is the one destination, and the statement already shows it.
      const subject =
        target.candidates.length === 0
          ? `${statement} holds a variable, so nginx looks up ${listAnd(hosts)} for each request`
          : `${statement} proxies to ${listOr(unresolved.map((destination) => destination.url))}, so nginx looks up ${listAnd(hosts)} for each request`;
      const everyRequest = unresolved.length === Math.max(target.candidates.length, 1);
      const failures = listOr(hosts.map((host) => `"no resolver defined to resolve ${host}"`));
      report({
        node: pass.node,
        token: pass.node.directive.args[0]!,
        messageId: 'noResolver',
        data: { statement, hosts: listAnd(hosts), subject, which: everyRequest ? 'all requests' : 'those requests', failures },
      });
    }
  },
});
