import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The README's commands as a newcomer runs them: `npm start`, `npm run sim` and `npm run demo`
 * are real npm processes here. SIGTERM to npm must stop everything it started (no orphaned
 * gateway or simulator), and the demo must come up with a linked session.
 */

const ROOT = join(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/** Runs `npm run <script>` in its own process group and resolves once a line matches. */
function npmRun(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 120_000,
): Promise<Started & { match: RegExpExecArray }> {
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      fail(
        new Error(`npm run ${script}: no ${ready} within ${timeoutMs} ms:\n${lines.join('\n')}`),
      );
    }, timeoutMs);
    const onLine = (line: string): void => {
      lines.push(line);
      const match = ready.exec(line);
      if (match) {
        clearTimeout(timer);
        done({ child, lines, exited, match });
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`npm run ${script} exited with ${code}:\n${lines.join('\n')}`));
    });
  });
}

/** The processes still running in `pgid`'s process group (exited ones not yet reaped do not count). */
function processGroup(pgid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'stat=,pid=,args=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('Z'));
  } catch {
    return []; // ps exits 1 when the group is empty
  }
}

async function terminate(started: Started): Promise<number | null> {
  started.child.kill('SIGTERM');
  return started.exited;
}

jest.setTimeout(180_000); // each builds the gateway first, on a shared 2-core machine

describe('npm scripts as a newcomer runs them', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('npm start serves the gateway, and SIGTERM to npm leaves no process of its group behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wa-gateway-start-'));
    dirs.push(dataDir);
    const started = await npmRun(
      'start',
      { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', API_KEY: '' },
      /listening on (http:\/\/\S+)/,
    );
    const url = started.match[1].replace('localhost', '127.0.0.1');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const pgid = started.child.pid!;
    expect(processGroup(pgid).some((line) => line.includes('dist/src/main.js'))).toBe(true);

    expect(await terminate(started)).toBe(0);
    expect(processGroup(pgid)).toEqual([]);
    expect(started.lines.join('\n')).toContain('Shutdown complete');
  });

  it('npm run sim prints its endpoints, and SIGTERM to npm stops it', async () => {
    const started = await npmRun('sim', {}, /^\{"ws":"ws:\/\/.+"http":"(http:\/\/[^"]+)"/);
    const control = await fetch(started.match[1]);
    expect(await control.json()).toMatchObject({ rootPublicKeyHex: expect.any(String) });
    const pgid = started.child.pid!;

    expect(await terminate(started)).toBe(0);
    expect(processGroup(pgid)).toEqual([]);
  });

  it('npm run demo links a simulated phone in one command and prints what to try', async () => {
    const started = await npmRun('demo', {}, /^Demo ready: (http:\/\/\S+) \(key (\S+)\)/);
    const [, url, key] = started.match;
    const output = started.lines.join('\n');
    expect(output).toContain(`${url}/docs`);
    expect(output).toMatch(/curl .*\/sessions\/demo\/messages/);
    expect(output).toMatch(/curl .*\/api\/sessions\/demo\/grab-all/);

    const response = await fetch(`${url}/sessions/demo/credentials`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    const body = (await response.json()) as { data: { status: string; userInfo: unknown } };
    expect(body.data).toMatchObject({
      status: 'connected',
      userInfo: { phoneNumber: expect.stringMatching(/^\d+$/), platform: 'android' },
    });
    const pgid = started.child.pid!;

    expect(await terminate(started)).toBe(0);
    expect(processGroup(pgid)).toEqual([]);
  });

  it('the committed openapi.json is the document the built gateway serves (npm run openapi)', () => {
    // npm start above built dist/ from this tree
    const output = execFileSync(
      process.execPath,
      [join(ROOT, 'test', 'tools', 'write-openapi.js'), '--check'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(output).toContain('openapi.json matches the served document');
  });
});
