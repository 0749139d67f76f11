import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

describe('WhatsApp Web simulator: npm run sim', () => {
  it('prints one JSON line with its URLs and root key, and serves the control API', async () => {
    const child = spawn('npm', ['run', '--silent', 'sim'], {
      cwd: join(__dirname, '..', '..', '..'),
      detached: true, // its own process group: npm, tsx and node are stopped together
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      const started = JSON.parse(first) as { ws: string; http: string; rootPublicKeyHex: string };
      expect(started).toEqual({
        ws: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/),
        http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        rootPublicKeyHex: expect.stringMatching(/^[0-9a-f]{64}$/),
        media: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
        mediaCaFile: expect.stringMatching(/ca\.pem$/),
      });
      const accounts = await fetch(`${started.http}/accounts`);
      expect(await accounts.json()).toEqual([]);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }, 30_000);
});
