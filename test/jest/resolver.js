'use strict';
// Some ESM-only packages (whatsapp-rust-bridge, used by Baileys) export only an "import"
// condition. After esm-to-cjs.transform.js turns them into CommonJS, Jest resolves their
// specifiers with "require" conditions; fall back to the "import" ones.
module.exports = (request, options) => {
  try {
    return options.defaultResolver(request, options);
  } catch (error) {
    try {
      return options.defaultResolver(request, {
        ...options,
        conditions: ['import', 'node', 'default'],
      });
    } catch {
      throw error;
    }
  }
};
