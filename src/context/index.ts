/** The application side of the 502 rules: which services nginx proxies to, where they listen, how slow they are. */
export { dualStackPortsOf, everyAddressPortsOf, isLoopbackHost } from './app-servers.js';
export { loadServiceCatalog, ServiceCatalog } from './catalog.js';
export type { ServiceCatalogOptions } from './catalog.js';
export { COMPOSE_EXTENSION_KEY } from './compose.js';
export { ServiceFactsError } from './errors.js';
export { ANNOTATION_PREFIX } from './kubernetes.js';
export type { Workload, WorkloadContainer } from './kubernetes.js';
export type { DeclaredService, Fact, FactOrigin, PortFact, ProxyTarget, ServiceAddressing, ServiceFacts, ServiceMatch } from './types.js';
