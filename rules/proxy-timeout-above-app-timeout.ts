/**
 * A read timeout raised above the time the application lets one request run: gunicorn's sync worker is killed by its
 * arbiter after `--timeout` (30 s by default), uWSGI's worker after `harakiri`, PHP-FPM's child after
 * `request_terminate_timeout`, which closes the connection without a response, and nginx answers 502 `upstream prematurely closed connection` — the slow requests the raised timeout was
 * meant for fail anyway (measured: test/reality/proxy-timeout-above-app-timeout.test.ts, with real uWSGI and PHP-FPM).
 *
 * Only a timeout written in the configuration is compared: nginx's default (60 s) above gunicorn's default (30 s) is
 * every stock deployment, while a timeout someone raised says that slow requests are expected.
 */
import type { ServiceBehind } from '../src/model/index.js';
import { defineRule } from '../src/lint/rule.js';
import { statementText } from '../src/load/tree.js';
import { formatNginxTime, parseNginxTime } from '../src/nginx/units.js';

const PREMATURELY_CLOSED = '"upstream prematurely closed connection while reading response header from upstream"';
/** What nginx logs when PHP-FPM's master kills a child at request_terminate_timeout (measured: the connection is reset). */
const RESET = '"recv() failed (104: Connection reset by peer) while reading response header from upstream"';

export default defineRule({
  meta: {
    id: 'proxy-timeout-above-app-timeout',
    description:
      'A read timeout raised above the time the application lets a request run (gunicorn --timeout, uWSGI harakiri, PHP-FPM request_terminate_timeout): requests slower than that get 502 anyway.',
    category: 'reliability',
    severity: 'warn',
    presets: ['recommended'],
    fixable: false,
    messages: {
      appKillsFirst:
        '{{timeout}} waits longer than {{service}} lets a request run ({{appTimeout}}, {{evidence}}): slower requests get 502, not their response',
    },
    details: {
      appKillsFirst:
        "{{timeout}} lets nginx wait {{nginxTimeout}} for a response, but {{service}}'s {{server}} kills the process handling a request after {{appTimeout}} ({{evidence}}): a request slower than that ends with a closed connection and 502 {{closed}}, not the response the longer timeout was raised for. Raise the application's own limit as well (gunicorn's --timeout, uWSGI's harakiri, PHP-FPM's request_terminate_timeout), or move the slow work out of the request",
    },
  },
  check({ model, report }) {
    for (const pass of model.proxyPasses) {
      const effective = model.effective(pass.node, `${pass.module}_read_timeout`);
      const written = effective.nodes[0];
      const nginxTimeout = parseNginxTime(effective.values[0]?.[0] ?? '');
      if (effective.source === 'default' || written === undefined || nginxTimeout === null) continue;
      // The service whose requests are cut first, among those the pass reaches.
      let shortest: ServiceBehind | null = null;
      for (const match of model.servicesBehind(pass)) {
        const appTimeout = match.service.requestTimeout;
        if (match.server?.down || appTimeout === undefined || appTimeout.value >= nginxTimeout) continue;
        if (shortest === null || appTimeout.value < shortest.service.requestTimeout!.value) shortest = match;
      }
      if (shortest === null) continue;
      const appTimeout = shortest.service.requestTimeout!;
      report({
        node: written,
        messageId: 'appKillsFirst',
        data: {
          timeout: statementText(written),
          nginxTimeout: formatNginxTime(nginxTimeout),
          service: shortest.service.name,
          server: shortest.service.server ?? 'server',
          appTimeout: formatNginxTime(appTimeout.value),
          evidence: appTimeout.origin.label,
          closed: shortest.service.server === 'PHP-FPM' ? RESET : PREMATURELY_CLOSED,
        },
      });
    }
  },
});
