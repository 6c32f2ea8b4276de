import { describe, expect, it } from 'vitest';
import { parseHosts, resolveHost } from './hosts.js';

describe("k6's hosts option", () => {
  it('maps a name to an IP, keeping the port unless the entry gives one', () => {
    const { hosts, problems } = parseHosts({ 'test.k6.io': '127.0.0.1', 'QuickPizza.Grafana.com': '127.0.0.2:8080' });
    expect(problems).toEqual([]);
    expect(resolveHost(hosts, 'test.k6.io', 443)).toEqual({ host: '127.0.0.1', port: 443 });
    expect(resolveHost(hosts, 'quickpizza.grafana.com', 80)).toEqual({ host: '127.0.0.2', port: 8080 });
    expect(resolveHost(hosts, 'other.example', 80)).toBeUndefined();
    expect(resolveHost(undefined, 'test.k6.io', 80)).toBeUndefined();
  });

  it('prefers host:port over host over the longest wildcard; a wildcard does not cover the bare domain', () => {
    const { hosts } = parseHosts({
      'test.k6.io:443': '127.0.0.1:8443',
      'test.k6.io': '127.0.0.1:8080',
      '*.k6.io': '127.0.0.3',
      '*.api.k6.io': '127.0.0.4',
      '*.example.com:8443': '127.0.0.5',
    });
    expect(resolveHost(hosts, 'test.k6.io', 443)).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(resolveHost(hosts, 'test.k6.io', 80)).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(resolveHost(hosts, 'grpcbin.k6.io', 9001)).toEqual({ host: '127.0.0.3', port: 9001 });
    expect(resolveHost(hosts, 'v1.api.k6.io', 80)).toEqual({ host: '127.0.0.4', port: 80 });
    expect(resolveHost(hosts, 'k6.io', 80)).toBeUndefined();
    expect(resolveHost(hosts, 'a.example.com', 8443)).toEqual({ host: '127.0.0.5', port: 8443 });
    expect(resolveHost(hosts, 'a.example.com', 443)).toBeUndefined();
  });

  it('takes IPv6 targets in brackets and bracketed names from URLs', () => {
    const { hosts, problems } = parseHosts({ 'ip6.test': '[::1]:9000', 'plain6.test': '::1' });
    expect(problems).toEqual([]);
    expect(resolveHost(hosts, 'ip6.test', 80)).toEqual({ host: '::1', port: 9000 });
    expect(resolveHost(hosts, 'plain6.test', 443)).toEqual({ host: '::1', port: 443 });
  });

  it('names every bad entry: values must be IPs, ports numbers, keys names', () => {
    const { hosts, problems } = parseHosts({ 'a.test': 'not-an-ip', 'b.test': 42, 'c.test:99999': '127.0.0.1', 'ok.test': '127.0.0.1:70000', 'd.*.test': '127.0.0.1' });
    expect(hosts).toBeUndefined();
    expect(problems.map((p) => p.key)).toEqual(['a.test', 'b.test', 'c.test:99999', 'ok.test', 'd.*.test']);
    expect(parseHosts(['x']).problems).toHaveLength(1);
    expect(parseHosts(undefined)).toEqual({ hosts: undefined, problems: [] });
  });
});
