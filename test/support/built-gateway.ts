import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

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
