'use strict';
// Jest on Node 20 cannot load ES modules from CommonJS (Node's own require(esm) is not
// available inside Jest's module sandbox before Node 24.9). Baileys 7 and several of its
// dependencies ship ESM only, so test runs compile those files to CommonJS with esbuild.
// CommonJS files pass through untouched. Production never uses this: Node 20.19+ loads
// the same packages natively through require(esm).
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const esbuild = require('esbuild');

// Part of the cache key: a change to this transform recompiles what it compiled before
const SELF = fs.readFileSync(require.resolve('./esm-to-cjs.transform.js'));

const packageTypeCache = new Map();

function packageTypeOf(dir) {
  if (packageTypeCache.has(dir)) {
    return packageTypeCache.get(dir);
  }
  let type = 'commonjs';
  const manifest = path.join(dir, 'package.json');
  if (fs.existsSync(manifest)) {
    try {
      type =
        JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module' ? 'module' : 'commonjs';
    } catch {
      type = 'commonjs';
    }
  } else {
    const parent = path.dirname(dir);
    type = parent === dir ? 'commonjs' : packageTypeOf(parent);
  }
  packageTypeCache.set(dir, type);
  return type;
}

function isEsm(filename) {
  if (filename.endsWith('.mjs')) {
    return true;
  }
  if (filename.endsWith('.cjs')) {
    return false;
  }
  return packageTypeOf(path.dirname(filename)) === 'module';
}

module.exports = {
  getCacheKey(source, filename, options) {
    return crypto
      .createHash('sha256')
      .update(SELF)
      .update(source)
      .update(filename)
      .update(options.configString ?? '')
      .digest('hex');
  },
  process(source, filename) {
    if (!isEsm(filename)) {
      return { code: source };
    }
    const result = esbuild.transformSync(source, {
      format: 'cjs',
      loader: 'js',
      target: 'node20',
      // `await import('https')` (Baileys' media upload) needs --experimental-vm-modules in Jest:
      // compiled to a require instead
      supported: { 'dynamic-import': false },
      sourcefile: filename,
      sourcemap: 'inline',
    });
    return { code: result.code };
  },
};
