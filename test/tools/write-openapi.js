'use strict';
// `npm run openapi`: writes the OpenAPI document the built gateway serves to openapi.json.
// With --check it writes nothing and fails when the served document differs from the committed
// one (CI runs that, test/scripts/), so an API change is always a visible diff of this file.
const { isDeepStrictEqual } = require('node:util');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

async function main() {
  const root = join(__dirname, '..', '..');
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-gateway-openapi-'));
  const { AppConfig } = require(join(root, 'dist', 'src', 'config', 'app-config.js'));
  const { createApp } = require(join(root, 'dist', 'src', 'app.factory.js'));
  const { buildOpenApiDocument } = require(join(root, 'dist', 'src', 'docs', 'swagger.js'));
  const config = AppConfig.fromEnv({
    DATA_DIR: dataDir,
    API_KEY: 'openapi-generator-key-0123456789',
    LOG_LEVEL: 'silent',
    WA_WS_URL: 'ws://127.0.0.1:9',
  });
  const app = await createApp(config);
  await app.init();
  // Through JSON, so the comparison sees exactly what would be written
  const document = JSON.parse(JSON.stringify(buildOpenApiDocument(app)));
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  const file = join(root, 'openapi.json');
  if (process.argv.includes('--check')) {
    const committed = JSON.parse(readFileSync(file, 'utf8'));
    if (!isDeepStrictEqual(committed, document)) {
      const paths = (doc) => new Set(Object.keys(doc.paths));
      const added = [...paths(document)].filter((path) => !paths(committed).has(path));
      const removed = [...paths(committed)].filter((path) => !paths(document).has(path));
      process.stderr.write(
        `openapi.json is out of date (added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'}; or changed details): run npm run openapi\n`,
      );
      process.exit(1);
    }
    process.stdout.write(
      `openapi.json matches the served document (${Object.keys(document.paths).length} paths)\n`,
    );
    return;
  }
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`openapi.json: ${Object.keys(document.paths).length} paths\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
