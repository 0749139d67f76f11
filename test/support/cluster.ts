import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import type { WaSimulator } from '../wa-sim';
import {
  buildGateway,
  GatewayProcess,
  SIM_PRELOAD,
  simGatewayEnv,
  startGatewayProcess,
} from './built-gateway';
import { TEST_WA_ENV } from './gateway-with-sim';
import { connectSocket } from './socket-client';
import type { TestDatabase } from './test-database';

export const CLUSTER_KEY = 'cluster-admin-key-0123456789abcdef';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A free TCP port on 127.0.0.1 (the process must know its own port to advertise it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ClusterNodeProcess extends GatewayProcess {
  nodeId: string;
  port: number;
}

/** Gateway processes of one cluster: one database, one Redis, the simulator, real processes. */
export class TestCluster {
  readonly nodes: ClusterNodeProcess[] = [];
  private readonly build = buildGateway();

  constructor(
    private readonly sim: WaSimulator,
    private readonly db: TestDatabase,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(nodeId: string, extra: Record<string, string> = {}): Promise<ClusterNodeProcess> {
    const port = await freePort();
    const process = await startGatewayProcess(
      this.build.mainJs,
      simGatewayEnv(this.sim, this.db, CLUSTER_KEY, {
        ...TEST_WA_ENV,
        REDIS_URL,
        NODE_ID: nodeId,
        PORT: String(port),
        SEND_MIN_INTERVAL_MS: '0',
        SEND_JITTER_MS: '0',
        DEFAULT_COUNTRY_CODE: '1',
        ...this.env,
        ...extra,
      }),
      SIM_PRELOAD,
    );
    const node = Object.assign(process, { nodeId, port });
    this.nodes.push(node);
    return node;
  }

  node(nodeId: string): ClusterNodeProcess {
    const node = this.nodes.find((candidate) => candidate.nodeId === nodeId);
    if (!node) {
      throw new Error(`no node ${nodeId}`);
    }
    return node;
  }

  async stop(): Promise<void> {
    const logDir = process.env.CLUSTER_LOG_DIR;
    if (logDir) {
      // CLUSTER_LOG_DIR=/tmp/x keeps each process's log lines for a look after the run
      for (const node of this.nodes) {
        writeFileSync(join(logDir, `${node.nodeId}.log`), `${node.lines.join('\n')}\n`);
      }
    }
    await Promise.all(
      this.nodes.map(async (node) => {
        if (node.child.exitCode === null && node.child.signalCode === null) {
          node.child.kill('SIGCONT');
          node.child.kill('SIGTERM');
        }
        await node.exited;
      }),
    );
    this.build.remove();
  }
}

/** A REST call with the cluster's key; resolves with status and envelope. */
export async function call<T = unknown>(
  node: { url: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{
  status: number;
  body: { success: boolean; message: string; data: T; meta?: { total: number } };
}> {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${CLUSTER_KEY}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as never };
}

export function clusterSocket(node: { url: string }): Promise<Socket> {
  return connectSocket(node.url, { auth: { token: CLUSTER_KEY } });
}

/** Who owns which session, from `GET /cluster`. */
export async function owners(node: { url: string }): Promise<Map<string, string[]>> {
  const { body } = await call<{ nodes: { nodeId: string; sessions: { sessionId: string }[] }[] }>(
    node,
    'GET',
    '/cluster',
  );
  return new Map(
    body.data.nodes.map((entry) => [entry.nodeId, entry.sessions.map((s) => s.sessionId).sort()]),
  );
}
