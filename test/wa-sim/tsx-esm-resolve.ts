import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';

/**
 * For scripts run with tsx (`npm run sim`, bench/): tsx loads Baileys' ESM files through its
 * CommonJS hook, where `whatsapp-rust-bridge` (exports with an "import" condition only) does not
 * resolve. Retry such a bare specifier with the package's "import" entry, as
 * test/jest/resolver.js does for Jest. Import this module before anything loads Baileys.
 */
type ResolveFilename = (
  request: string,
  parent: { paths?: string[] } | undefined,
  ...rest: unknown[]
) => string;

const loader = Module as unknown as { _resolveFilename: ResolveFilename };
const original = loader._resolveFilename;

loader._resolveFilename = function resolveWithImportFallback(request, parent, ...rest) {
  try {
    return original.call(this, request, parent, ...rest);
  } catch (error) {
    if (
      (error as { code?: string }).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' ||
      request.startsWith('.')
    ) {
      throw error;
    }
    for (const dir of parent?.paths ?? []) {
      const manifest = join(dir, request, 'package.json');
      if (existsSync(manifest)) {
        const exports = (
          JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }
        ).exports;
        const entry = exports?.['.'];
        const target =
          typeof entry === 'object' && entry !== null
            ? (entry as Record<string, unknown>).import
            : undefined;
        if (typeof target === 'string') {
          return join(dir, request, target);
        }
      }
    }
    throw error;
  }
};
