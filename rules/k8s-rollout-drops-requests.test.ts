import { testRule } from '../test/rule-tester.js';
import rule from './k8s-rollout-drops-requests.js';

const NGINX_CONF = 'http {\n    server {\n        location / {\n            proxy_pass http://api.shop.svc.cluster.local:80;\n        }\n    }\n}\n';
const SERVICE =
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    app: api\n  ports:\n    - port: 80\n      targetPort: 8000\n---\n';
const READINESS = '          readinessProbe:\n            httpGet: { path: /health, port: 8000 }\n';
const PRESTOP = '          lifecycle:\n            preStop:\n              sleep: { seconds: 5 }\n';
/** A Deployment (line 14 on) whose only container `api` starts at line 25 of the file (26 with one line of podSpec). */
const deployment = (container = '', podSpec = '', kind = 'Deployment', labels = 'app: api') =>
  `${SERVICE}apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        ${labels}\n    spec:\n${podSpec}      containers:\n        - name: api\n          image: python:3.12\n${container}`;
const files = (manifest: string, conf = NGINX_CONF) => ({ 'nginx.conf': conf, 'k8s.yaml': manifest });
const config = { serviceFiles: ['k8s.yaml'] };

testRule(rule, {
  valid: [
    { name: 'a readinessProbe and a preStop delay', files: files(deployment(READINESS + PRESTOP)), config },
    {
      name: 'a startupProbe also keeps a new pod out of the endpoints until it passes',
      files: files(deployment('          startupProbe:\n            tcpSocket: { port: 8000 }\n' + PRESTOP)),
      config,
    },
    {
      name: 'a grace period of 5 s leaves no room for a delay: not reported for the preStop',
      files: files(deployment(READINESS, '      terminationGracePeriodSeconds: 5\n')),
      config,
    },
    {
      name: 'a Service nginx does not proxy to',
      files: files(deployment(), NGINX_CONF.replace('api.shop.svc.cluster.local', 'billing')),
      config,
    },
    { name: 'pods the Service does not select', files: files(deployment('', '', 'Deployment', 'app: worker')), config },
    { name: 'a bare Pod is not rolled out', files: files(deployment('', '', 'Pod')), config },
    { name: 'no manifests', files: NGINX_CONF },
  ],
  invalid: [
    {
      name: 'neither probe nor preStop: both reported at the container, in the manifest',
      files: files(deployment()),
      config,
      errors: [
        {
          file: 'k8s.yaml',
          line: 25,
          column: 11,
          messageId: 'noReadinessProbe',
          data: { workload: 'Deployment api', service: 'api' },
          detail: /Service api \(nginx\.conf:4\)/,
        },
        { file: 'k8s.yaml', line: 25, messageId: 'noPreStop', data: { workload: 'Deployment api', grace: 30, delay: 5 } },
      ],
    },
    {
      name: 'a preStop but no probe, through an upstream block',
      files: files(
        deployment(PRESTOP, '', 'StatefulSet'),
        'http {\n    upstream api {\n        server api.shop:80;\n    }\n    server {\n        location / { proxy_pass http://api; }\n    }\n}\n',
      ),
      config,
      errors: [{ file: 'k8s.yaml', line: 25, messageId: 'noReadinessProbe', data: { workload: 'StatefulSet api' }, detail: /nginx\.conf:3/ }],
    },
    {
      name: 'a probe but no preStop, with a grace period that leaves room',
      files: files(deployment(READINESS, '      terminationGracePeriodSeconds: 60\n', 'DaemonSet')),
      config,
      errors: [{ file: 'k8s.yaml', line: 26, messageId: 'noPreStop', data: { workload: 'DaemonSet api', grace: 60 } }],
    },
  ],
});
