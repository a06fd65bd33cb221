/**
 * A rollout replaces a workload's pods one by one, and nginx keeps proxying to the Service in front of them. Two gaps
 * turn that into 502s, both `connect() failed (111: Connection refused) while connecting to upstream`:
 * - no `readinessProbe` (nor `startupProbe`): a new pod joins the Service's endpoints as soon as its containers have
 *   started, before the app listens;
 * - no `preStop` hook: the pod gets SIGTERM at the moment its removal from the endpoints starts, and the app closes its
 *   listener while nginx (through kube-proxy) still sends it requests.
 * Measured with a process-level simulation of both (test/reality/k8s-rollout-drops-requests.test.ts).
 *
 * Only for Deployments, StatefulSets and DaemonSets whose pods back a Service nginx proxies to; reported at the
 * first container of the pod template, in the manifest.
 */
import type { Workload } from '../src/context/index.js';
import { defineRule } from '../src/lint/rule.js';
import { offsetAt, type SourceFile } from '../src/syntax/ast.js';

/** Workloads that roll pods over: a bare Pod or ReplicaSet is replaced by hand, not rolled. */
const ROLLING_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
/** Kubernetes' default `terminationGracePeriodSeconds`. */
const DEFAULT_GRACE_SECONDS = 30;
/**
 * The delay the fix suggests, and so the smallest grace period with room for it: the preStop hook runs inside the
 * grace period, and a grace period this short or shorter leaves the app no time to finish once the delay is over.
 */
const PRESTOP_DELAY_SECONDS = 5;

interface Behind {
  readonly workload: Workload;
  readonly service: string;
  readonly proxiedAt: string;
}

/** The range of a YAML line, past its indentation and list dash. */
function lineSpan(file: SourceFile, line: number): { file: SourceFile; start: number; end: number } {
  const lineStart = offsetAt(file, { line, column: 1 });
  const lineEnd = file.text.indexOf('\n', lineStart);
  const end = lineEnd === -1 ? file.text.length : lineEnd;
  const start = lineStart + (/^[\s-]*/.exec(file.text.slice(lineStart, end))?.[0].length ?? 0);
  return { file, start, end };
}

export default defineRule({
  meta: {
    id: 'k8s-rollout-drops-requests',
    description:
      'A Deployment, StatefulSet or DaemonSet behind a Service nginx proxies to has no `readinessProbe`, or no `preStop` delay: 502s on every rollout.',
    category: 'reliability',
    severity: 'warn',
    presets: ['recommended'],
    fixable: false,
    messages: {
      noReadinessProbe: '{{workload}} has no readinessProbe: on a rollout its new pods get requests before they listen: 502 (connection refused)',
      noPreStop:
        '{{workload}} has no preStop delay: on a rollout its old pods stop listening at SIGTERM while requests still arrive: 502 (connection refused)',
    },
    details: {
      noReadinessProbe:
        'nginx proxies to Service {{service}} ({{proxiedAt}}), whose pods {{workload}} runs. Without a readinessProbe (or startupProbe) a new pod joins the Service\'s endpoints as soon as its containers have started, before the app listens, and every request sent to it meanwhile gets 502 "connect() failed (111: Connection refused) while connecting to upstream" (measured with real nginx and a process-level model of the rollout). Add a readinessProbe that requests the app\'s port, e.g. httpGet on a health path.',
      noPreStop:
        'nginx proxies to Service {{service}} ({{proxiedAt}}), whose pods {{workload}} runs. When a pod is deleted, Kubernetes removes it from the endpoints and sends SIGTERM at the same moment; kube-proxy and every node learn of the removal only later, and an app that closes its listener on SIGTERM refuses the requests still arriving: 502 "connect() failed (111: Connection refused) while connecting to upstream" (measured with real nginx and a process-level model of the rollout). Add lifecycle.preStop that waits a few seconds (sleep: {seconds: {{delay}}} on Kubernetes 1.30+, else exec: sleep {{delay}}) before SIGTERM; the grace period of {{grace}} s leaves room for it.',
    },
  },
  check({ model, report }) {
    const catalog = model.services;
    if (!catalog || catalog.workloads.length === 0) return;
    const behind = new Map<Workload, Behind>();
    for (const pass of model.proxyPasses) {
      for (const match of model.servicesBehind(pass)) {
        if (match.server?.down) continue;
        for (const workload of catalog.workloadsBehind(match.service)) {
          if (!ROLLING_KINDS.has(workload.kind) || behind.has(workload)) continue;
          behind.set(workload, { workload, service: match.service.name, proxiedAt: model.where(match.server?.node ?? pass.node) });
        }
      }
    }
    for (const { workload, service, proxiedAt } of behind.values()) {
      const [first] = workload.containers;
      const file = model.deploymentFile(workload.origin.file);
      if (!first || !file || first.entry.line === null) continue;
      const span = lineSpan(file, first.entry.line);
      const data = { workload: `${workload.kind} ${workload.name ?? ''}`.trim(), service, proxiedAt };
      // The pod is Ready once every container is: a probe on any container holds its traffic back.
      if (workload.containers.every((container) => container.readinessGate === null)) {
        report({ span, messageId: 'noReadinessProbe', data });
      }
      const grace = workload.terminationGracePeriodSeconds?.value ?? DEFAULT_GRACE_SECONDS;
      if (grace > PRESTOP_DELAY_SECONDS && workload.containers.every((container) => container.preStop === null)) {
        report({ span, messageId: 'noPreStop', data: { ...data, grace, delay: PRESTOP_DELAY_SECONDS } });
      }
    }
  },
});
