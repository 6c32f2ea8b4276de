import { databasePort, proxiedUpstreams, proxyPort, servicePort, type StackDefinition } from '../stack/definition.js';
import type { PortClaim } from './ports.js';

/** Every port the local stack will listen on, with who listens there (for one-line conflicts). */
export function stackPortClaims(
  def: StackDefinition,
  parts: { embeddedDatabase: boolean; embeddedFaultProxy: boolean; faultProxy: boolean; prometheus?: boolean },
): PortClaim[] {
  const claims: PortClaim[] = def.services.map((s) => ({ port: servicePort(def, s.name), what: `the ${s.name} balancer` }));
  if (parts.embeddedDatabase) claims.push({ port: databasePort(def), what: 'the embedded database' });
  if (parts.faultProxy) {
    for (const upstream of proxiedUpstreams(def)) claims.push({ port: proxyPort(def, upstream), what: `the ${upstream} fault proxy` });
  }
  if (parts.embeddedFaultProxy) claims.push({ port: def.basePort + def.admin.faultProxyApiOffset, what: 'the fault proxy API' });
  claims.push({ port: def.basePort + def.admin.supervisorMetricsOffset, what: 'the supervisor metrics endpoint' });
  if (parts.prometheus) claims.push({ port: def.basePort + def.admin.prometheusOffset, what: 'Prometheus' });
  return claims;
}
