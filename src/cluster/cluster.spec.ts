import { AppConfig, ConfigValidationError } from '../config/app-config';
import { hopValue, isForwardedHop, runAsForwarded, verifyHop } from './hop';
import type { ClusterNode } from './node-registry';
import { sessionOfPath } from './session-forwarder';
import { planShares } from './session-ownership';

const node = (nodeId: string, sessions: number, draining = false): ClusterNode => ({
  nodeId,
  address: `http://${nodeId}:3000`,
  draining,
  startedAt: new Date(0),
  heartbeatAt: new Date(0),
  sessions,
});

describe('cluster mode', () => {
  it('is on with REDIS_URL and MySQL only, and then needs API_KEY', () => {
    const mysql = { DB_TYPE: 'mysql', REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(AppConfig.fromEnv({ REDIS_URL: 'redis://127.0.0.1:6379' }).cluster.enabled).toBe(false);
    expect(() => AppConfig.fromEnv(mysql)).toThrow(ConfigValidationError);
    expect(() => AppConfig.fromEnv(mysql)).toThrow(/API_KEY must be set .* cluster mode/);
    const config = AppConfig.fromEnv({
      ...mysql,
      API_KEY: 'a-long-enough-admin-key',
      PORT: '3210',
    });
    expect(config.cluster).toMatchObject({
      enabled: true,
      address: 'http://127.0.0.1:3210',
      leaseTtlMs: 15_000,
      renewIntervalMs: 3_000,
    });
    expect(() => AppConfig.fromEnv({ LEASE_TTL_MS: '100' })).toThrow(/LEASE_TTL_MS/);
    expect(() => AppConfig.fromEnv({ NODE_ADDRESS: 'gw-1:3000' })).toThrow(/NODE_ADDRESS/);
  });

  it('shares free sessions over the live, non-draining processes, fewest first (ties by id)', () => {
    const plan = planShares(
      [node('gw-a', 3), node('gw-b', 1), node('gw-c', 0), node('gw-d', 0, true)],
      ['s1', 's2', 's3', 's4', 's5'],
    );
    expect(Object.fromEntries(plan)).toEqual({
      'gw-a': [],
      'gw-b': ['s2', 's4'],
      'gw-c': ['s1', 's3', 's5'],
    });
    // every process computes the same plan, whatever order it listed the sessions in
    expect(
      planShares(
        [node('gw-b', 1), node('gw-a', 3), node('gw-c', 0)],
        ['s5', 's4', 's3', 's2', 's1'],
      ),
    ).toEqual(plan);
    expect(planShares([node('gw-a', 0, true)], ['s1']).size).toBe(0);
  });

  it('trusts a forwarded request only with the hop signed by the shared key', () => {
    const hop = hopValue('gw-a', 'the-shared-admin-key');
    expect(verifyHop(hop, 'the-shared-admin-key')).toBe('gw-a');
    expect(verifyHop(hop, 'another-key')).toBeNull();
    expect(verifyHop(hop.replace('gw-a', 'gw-b'), 'the-shared-admin-key')).toBeNull();
    expect(verifyHop('gw-a', 'the-shared-admin-key')).toBeNull();
    expect(verifyHop(undefined, 'the-shared-admin-key')).toBeNull();
    expect(isForwardedHop()).toBe(false);
    expect(runAsForwarded('gw-a', () => isForwardedHop())).toBe(true);
  });

  it('finds the session a request path names, and no other', () => {
    expect(sessionOfPath('/sessions/sales-1/messages')).toBe('sales-1');
    expect(sessionOfPath('/sessions/sales-1')).toBe('sales-1');
    expect(sessionOfPath('/api/sessions/sales.2/grab-all')).toBe('sales.2');
    expect(sessionOfPath('/api/v1/sessions/tok_3/qr')).toBe('tok_3');
    expect(sessionOfPath('/sessions/connected/credentials')).toBeNull();
    expect(sessionOfPath('/sessions/all')).toBeNull();
    expect(sessionOfPath('/sessions')).toBeNull();
    expect(sessionOfPath('/api/v1/messages')).toBeNull();
    expect(sessionOfPath('/sessions/bad%20id/status')).toBeNull();
    expect(sessionOfPath('/sessions/%E0%A4%A/status')).toBeNull();
  });
});
