import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium to drive: `CHROMIUM_PATH`, else the first of the usual names on the PATH. */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    }
    return fromEnv;
  }
  for (const name of CANDIDATES) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this one
    }
  }
  throw new Error(
    'No Chromium found for the dashboard browser test: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH',
  );
}

/**
 * Numbered full-page screenshots of a browser test's steps, in a fresh folder under the temp
 * directory (printed, so a failed or a curious run can be looked at).
 */
export function screenshots(label: string): (page: Page, name: string) => Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), `wa-${label}-shots-`));
  console.log(`${label} screenshots: ${folder}`);
  let count = 0;
  return async (page, name) => {
    count += 1;
    await page.screenshot({
      path: join(folder, `${String(count).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  };
}
