'use strict';
// Preload for a process running Baileys against the WhatsApp Web simulator:
//   WA_SIM_ROOT_PUBLIC_KEY=<hex> node -r ./test/wa-sim/trust-root.js dist/src/main.js
// Replaces Baileys' WhatsApp root public key with the simulator's, as a test CA would be
// installed. Does nothing when the variable is unset or empty; refuses to start when it is
// malformed. Test tooling only: nothing in src/ loads or knows this file.
const { Buffer } = require('node:buffer');

const VARIABLE = 'WA_SIM_ROOT_PUBLIC_KEY';
const hex = (process.env[VARIABLE] || '').trim();

if (hex !== '') {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error(
      `${VARIABLE} must be the simulator's root public key: 64 hex characters (32 bytes), got ${JSON.stringify(hex.slice(0, 80))}`,
    );
  }
  const { WA_CERT_DETAILS } = require('@whiskeysockets/baileys');
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(hex, 'hex');
}
