import type { Directive } from '../src/syntax/ast.js';
import {
  BUFFERED_MODULES,
  type BufferCheck,
  type BufferSetting,
  type BufferSettings,
  busyBuffersLimit,
  checkedScopes,
  culpritOf,
  directiveName,
  effectiveBusyBuffersSize,
  effectiveTempFileWriteSize,
  failedCheck,
  isCheckedScope,
  isConfigured,
  largestBuffer,
  nginxMessage,
  planBufferFix,
  readBufferSettings,
  settingsSupplier,
  spellSetting,
} from '../src/model/buffers.js';
import type { ConfigNode } from '../src/load/tree.js';
import { defineRule } from '../src/lint/rule.js';
import { formatNginxSize } from '../src/nginx/units.js';

/** `proxy_buffers 8 4k`, marked when nginx's default applies rather than a statement. */
function describeBuffers(settings: BufferSettings): string {
  const statement = `${directiveName(settings.module, 'buffers')} ${spellSetting('buffers', settings.values.buffers).join(' ')}`;
  return settings.nodes.buffers ? statement : `${statement} (the default)`;
}

/** What nginx's "maximum of proxy_buffer_size and one of the proxy_buffers" is here, and which of the two it is. */
function describeLargestBuffer(settings: BufferSettings): string {
  const { module, values, nodes } = settings;
  if (values.bufferSize >= values.buffers.size) {
    const statement = `${directiveName(module, 'bufferSize')} ${formatNginxSize(values.bufferSize)}`;
    return nodes.bufferSize ? statement : `${statement} (the default)`;
  }
  return `one buffer of ${describeBuffers(settings)}`;
}

/** Why the values fail the check, in the configuration's terms. */
function explain(settings: BufferSettings, check: BufferCheck): string {
  const { module, values } = settings;
  const name = (setting: BufferSetting) => directiveName(module, setting);
  const size = (bytes: number) => formatNginxSize(bytes);
  switch (check) {
    case 'buffer-count':
      return `${describeBuffers(settings)} is a single buffer`;
    case 'busy-below-buffer':
      return `${name('busyBuffersSize')} ${size(effectiveBusyBuffersSize(values))} is smaller than ${describeLargestBuffer(settings)}`;
    case 'busy-above-limit': {
      const busy =
        values.busyBuffersSize === null
          ? `${name('busyBuffersSize')} is not set, so it is twice ${describeLargestBuffer(settings)}: ${size(effectiveBusyBuffersSize(values))}`
          : `${name('busyBuffersSize')} ${size(values.busyBuffersSize)}`;
      return `${busy}, more than the ${size(busyBuffersLimit(values.buffers))} that ${describeBuffers(settings)} leave after one buffer`;
    }
    case 'temp-write-below-buffer':
      return `${name('tempFileWriteSize')} ${size(effectiveTempFileWriteSize(values))} is smaller than ${describeLargestBuffer(settings)}`;
    case 'max-temp-below-buffer':
      return `${name('maxTempFileSize')} ${size(values.maxTempFileSize)} is smaller than ${describeLargestBuffer(settings)}`;
  }
}

/** What to change when no automatic fix is safe (a level inside overrides some of the settings). */
function advice(settings: BufferSettings, check: BufferCheck): string {
  const { module, values } = settings;
  const name = (setting: BufferSetting) => directiveName(module, setting);
  const least = formatNginxSize(largestBuffer(values));
  switch (check) {
    case 'buffer-count':
      return `Use enough ${name('buffers')} that ${name('busyBuffersSize')} fits in all of them but one.`;
    case 'busy-below-buffer':
      return `Raise ${name('busyBuffersSize')} to at least ${least}.`;
    case 'busy-above-limit':
      return `Set ${name('busyBuffersSize')} between ${least} and ${formatNginxSize(busyBuffersLimit(values.buffers))}, or use more or larger ${name('buffers')}.`;
    case 'temp-write-below-buffer':
      return `Raise ${name('tempFileWriteSize')} to at least ${least}.`;
    case 'max-temp-below-buffer':
      return `Raise ${name('maxTempFileSize')} to at least ${least}, or set it to 0 to turn temporary files off.`;
  }
}

export default defineRule({
  meta: {
    id: 'proxy-buffers-invalid',
    description:
      'A combination of proxy_buffer_size, proxy_buffers, proxy_busy_buffers_size and the temp-file sizes (or their fastcgi_, uwsgi_, scgi_ twins) that nginx -t rejects.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // The fix turns a combination nginx -t rejects into the nearest one it accepts: the config did not start before.
    fixSafety: 'safe',
    messages: {
      rejected: '{{nginxMessage}}: nginx -t fails',
    },
    details: {
      rejected: '{{nginxMessage}}: {{explanation}}. nginx -t fails, so nginx will not start, and a reload keeps the old configuration. {{remedy}}',
    },
  },
  check(context) {
    const { model } = context;
    for (const module of BUFFERED_MODULES) {
      if (!isConfigured(model, module)) continue;
      // Levels that inherit one bad combination fail alike; the finding is about the statement, once per check, also
      // when a file that several places include holds it.
      const reported = new Map<Directive, Set<BufferCheck>>();
      // A scope that takes every value from a level already read (see settingsSupplier) would give the same finding
      // again, already reported or not; a large configuration has 100k scopes, most of them such. Suppliers that are
      // not scopes themselves (http, the top of a file) are remembered here once read.
      const readSuppliers = new Set<ConfigNode | null>();
      for (const scope of checkedScopes(model)) {
        const supplier = settingsSupplier(module, scope);
        if (supplier !== undefined) {
          if ((supplier !== null && isCheckedScope(supplier)) || readSuppliers.has(supplier)) continue;
          readSuppliers.add(supplier);
        }
        const settings = readBufferSettings(model, module, scope);
        const check = settings && failedCheck(settings.values);
        if (!settings || !check) continue;
        const culprit = culpritOf(settings, check);
        if (!culprit) continue;
        const checks = reported.get(culprit.directive) ?? new Set<BufferCheck>();
        if (checks.has(check)) continue;
        reported.set(culprit.directive, checks.add(check));

        const fix = planBufferFix(model, module, culprit, {});
        const remedy = fix ? `Set ${fix.summary}.` : advice(settings, check);
        context.report({
          node: culprit,
          messageId: 'rejected',
          data: { nginxMessage: nginxMessage(module, check), explanation: explain(settings, check), remedy },
          ...(fix ? { fix: fix.changes } : {}),
        });
      }
    }
  },
});
