import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WaSimulator } from '../wa-sim';
import { runCurveSignaturesInMainRealm } from '../wa-sim/testing/main-realm-curve';
import { createTestDatabase, type TestDatabase } from './test-database';

const ROOT = join(__dirname, '..', '..');

/** Compiles src/ + migrations/ with tsc into a private folder under .test-build/. */
export function buildGateway(): { mainJs: string; remove(): void } {
  const outDir = mkdtempSync(join(ROOT, '.test-build', 'build-'));
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
  return {
    mainJs: join(outDir, 'src', 'main.js'),
    remove: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** Every line the process printed so far (stdout and stderr). */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node [preload] main.js` and resolves once it logs the URL it listens on. */
export async function startGatewayProcess(
  mainJs: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<GatewayProcess> {
  const cwd = mkdtempSync(join(ROOT, '.test-build', 'cwd-'));
  const child = spawn(process.execPath, [...nodeArgs, mainJs], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not report its URL within 30 s:\n${lines.join('\n')}`));
    }, 30_000);
    const onLine = (line: string): void => {
      lines.push(line);
      const match = /listening on (http:\/\/[^\s]+) /.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace('localhost', '127.0.0.1'));
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${lines.join('\n')}`));
    });
  });
  return { child, url, lines, exited };
}

/** Node's arguments that make a gateway process trust the simulator (WA_SIM_ROOT_PUBLIC_KEY). */
export const SIM_PRELOAD = ['-r', join(ROOT, 'test', 'wa-sim', 'trust-root.js')];

/** A gateway process's environment: `db`, the simulator, the admin `key`, then `extra`. */
export function simGatewayEnv(
  sim: WaSimulator,
  db: TestDatabase,
  key: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...db.env,
    API_KEY: key,
    WA_WS_URL: sim.wsUrl,
    WA_SIM_ROOT_PUBLIC_KEY: sim.rootPublicKeyHex,
    LOG_LEVEL: 'info',
    WA_LOG_LEVEL: 'error',
    ...extra,
  };
}

export interface SimGatewayProcesses {
  readonly build: ReturnType<typeof buildGateway>;
  readonly db: TestDatabase;
  readonly sim: WaSimulator;
  env(key: string, extra?: Record<string, string>): Record<string, string>;
  /** Starts a gateway process that trusts the simulator. */
  start(env: Record<string, string>): Promise<GatewayProcess>;
}

/**
 * For a describe block whose tests run the gateway as real processes against the simulator:
 * builds the gateway and opens a database and a simulator before its tests, and removes them
 * after.
 */
export function useSimGatewayProcesses(setupTimeoutMs = 120_000): SimGatewayProcesses {
  const state: {
    build?: ReturnType<typeof buildGateway>;
    db?: TestDatabase;
    sim?: WaSimulator;
    restoreCurve?: () => void;
  } = {};
  beforeAll(async () => {
    mkdirSync(join(ROOT, '.test-build'), { recursive: true });
    state.build = buildGateway();
    state.db = await createTestDatabase();
    state.sim = await WaSimulator.start();
    state.restoreCurve = runCurveSignaturesInMainRealm();
  }, setupTimeoutMs);
  afterAll(async () => {
    state.restoreCurve?.();
    await state.sim?.stop();
    state.build?.remove();
    await state.db?.drop();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) {
      throw new Error('used before its beforeAll ran');
    }
    return value;
  };
  return {
    get build() {
      return need(state.build);
    },
    get db() {
      return need(state.db);
    },
    get sim() {
      return need(state.sim);
    },
    env: (key, extra) => simGatewayEnv(need(state.sim), need(state.db), key, extra),
    start: (env) => startGatewayProcess(need(state.build).mainJs, env, SIM_PRELOAD),
  };
}
