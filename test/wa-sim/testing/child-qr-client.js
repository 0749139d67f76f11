'use strict';
// A Baileys client in its own process (run by specs with `node -r ./test/wa-sim/trust-root.js`):
// connects to WA_SIM_WS_URL, prints the first QR it shows as one JSON line, then exits.
// Exits 2 with the close reason if the connection closes first (e.g. an untrusted simulator).
const { initAuthCreds, makeWASocket } = require('@whiskeysockets/baileys');
const pino = require('pino');

const keys = new Map();
const sock = makeWASocket({
  waWebSocketUrl: process.env.WA_SIM_WS_URL,
  auth: {
    creds: initAuthCreds(),
    keys: {
      get: (type, ids) =>
        Object.fromEntries(
          ids
            .filter((id) => keys.has(`${type}:${id}`))
            .map((id) => [id, keys.get(`${type}:${id}`)]),
        ),
      set: () => undefined,
    },
  },
  logger: pino({ level: 'silent' }),
});
sock.ev.on('connection.update', (update) => {
  if (update.qr) {
    console.log(JSON.stringify({ qr: update.qr }));
    process.exit(0);
  }
  if (update.connection === 'close') {
    console.log(JSON.stringify({ closed: update.lastDisconnect?.error?.message }));
    process.exit(2);
  }
});
