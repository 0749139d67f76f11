import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'node_modules/.bin/depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** Runs `npm run deps`' check on a throw-away tree of `files` (path → source). */
function check(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wa-gateway-deps-'));
  try {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true } }),
    );
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    const run = spawnSync(CLI, ['src', '--config', CONFIG, '--output-type', 'err'], {
      cwd: dir,
      encoding: 'utf8',
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('dependency rules (npm run check)', () => {
  it('passes arrows that point down', () => {
    const result = check({
      'src/whatsapp/engine.ts': 'export const engine = 1;\n',
      'src/sessions/sessions.ts':
        "import { engine } from '../whatsapp/engine';\nexport const s = engine;\n",
      'src/messaging/send.ts': "import { s } from '../sessions/sessions';\nexport const m = s;\n",
    });
    expect(result.output).toContain('no dependency violations');
    expect(result.status).toBe(0);
  });

  it('fails when a lower module imports a higher one', () => {
    const result = check({
      'src/messaging/queue.ts': 'export const length = 0;\n',
      'src/sessions/status.ts':
        "import { length } from '../messaging/queue';\nexport const s = length;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-upward-from-sessions');
  });

  it('fails when modules that sit side by side import each other', () => {
    const result = check({
      'src/contacts/contacts.ts': 'export const c = 1;\n',
      'src/messaging/send.ts': "import { c } from '../contacts/contacts';\nexport const m = c;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-sideways-from-messaging');
  });

  it('fails on an import cycle, type-only imports included', () => {
    const result = check({
      'src/access/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'src/access/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-circular');
  });
});
