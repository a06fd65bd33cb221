/**
 * An nginx-lint plugin with one rule: every location that proxies must send the backend a request id, so a slow
 * or failed request in the application's logs can be matched with its line in nginx's access log.
 *
 * A plugin is a plain ES module that exports `rules`, an array of `{ meta, check }` objects. It runs as is, with no
 * build step; nginx-lint loads it only when a `.nginx-lint.json` names it under `plugins`.
 */

/** @typedef {import('nginx-lint').RuleContext<{ header: string }>} RequestIdContext */
/** @typedef {import('nginx-lint').ConfigNode} ConfigNode */

/**
 * The statement as written, for messages: `location /api/`.
 * @param {ConfigNode} node
 */
function describe(node) {
  return [node.directive.name, ...node.directive.args.map((arg) => arg.raw)].join(' ');
}

/** @type {import('nginx-lint').Rule<{ header: string }>} */
const requireRequestId = {
  meta: {
    id: 'require-request-id',
    description: 'A location proxies without sending a request id header, so its requests cannot be traced into the backend.',
    category: 'reliability',
    severity: 'warn',
    // Not in a preset: a plugin's rules run only where a config turns them on under `rules`.
    presets: [],
    fixable: false,
    // Shown as the rule's documentation link in reports; without it a plugin rule has none.
    url: 'https://example.com/nginx-lint-rules/require-request-id',
    schema: {
      type: 'object',
      properties: { header: { type: 'string', description: 'The header the backend reads the id from.' } },
      additionalProperties: false,
    },
    defaultOptions: { header: 'X-Request-Id' },
  },

  /** @param {RequestIdContext} context */
  check({ model, options, report }) {
    for (const pass of model.proxyPasses) {
      if (pass.module !== 'proxy') continue;
      // What nginx really sends after inheritance: one proxy_set_header in a location replaces every inherited one.
      const header = model.effectiveHeader(pass.node, 'proxy_set_header', options.header);
      if (header.value !== null && header.value !== '') continue;

      const where = pass.location ? describe(pass.location) : 'this proxy_pass';
      if (header.node) {
        report({
          node: header.node,
          message: `${where} clears ${options.header}, so the backend gets no request id; send proxy_set_header ${options.header} $request_id`,
        });
        continue;
      }
      // The level whose proxy_set_header list is in effect is where the header must be added, or it is dropped too.
      const [firstHeader] = model.effective(pass.node, 'proxy_set_header').nodes;
      const addAt = firstHeader ? `beside the proxy_set_header at ${model.where(firstHeader)}` : `in ${where} or a block around it`;
      report({
        node: pass.node,
        message: `${where} sends no ${options.header} to the backend, so its requests cannot be matched with nginx's access log; add proxy_set_header ${options.header} $request_id ${addAt}`,
      });
    }
  },
};

export const rules = [requireRequestId];
