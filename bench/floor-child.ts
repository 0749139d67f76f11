/**
 * The floor of bench/cluster.ts: bare Baileys sockets (in-memory auth state, no database, no
 * Nest) in a process of their own, doing what the parent asks over IPC. The parent compiles this
 * file with tsc and runs it with plain `node`, as the gateway runs: under tsx, Baileys' ESM files
 * would be loaded through tsx's CommonJS hook, transformed by esbuild (every function wrapped for
 * its name, source maps on), which costs more per message than the same Baileys in the gateway.
 */
import type { WAMessage } from '@whiskeysockets/baileys';
import { createMemoryAuthState, textOf, TestClient } from '../test/wa-sim/testing/baileys-client';
import { installTrustRoot } from '../test/wa-sim/trust-root';

export type FloorRequest =
  | { type: 'link'; index: number }
  | { type: 'expect'; total: number }
  | { type: 'send'; to: string[][]; perSession: number; workers: number; ratePerSecond?: number }
  | { type: 'end' };

export type FloorReply =
  | { type: 'ready' }
  | { type: 'qr'; index: number; qr: string }
  | { type: 'open'; index: number }
  | { type: 'expecting' }
  | { type: 'received' }
  | { type: 'sent'; failures: number };

/** The child: Baileys sockets with in-memory auth state; does what the parent asks over IPC. */
function floorChild(): void {
  installTrustRoot(process.env.WA_SIM_ROOT_PUBLIC_KEY ?? '');
  const wsUrl = process.env.WA_SIM_WS_URL ?? '';
  const reply = (message: FloorReply): void => {
    process.send?.(message);
  };
  const clients: TestClient[] = [];
  let expected = 0;
  let received = 0;
  const onUpsert = ({ messages, type }: { messages: WAMessage[]; type: string }): void => {
    if (type !== 'notify') {
      return;
    }
    for (const message of messages) {
      if (!message.key.fromMe && textOf(message)?.startsWith('inbound ')) {
        received += 1;
        if (received === expected) {
          reply({ type: 'received' });
        }
      }
    }
  };
  const linkOne = async (index: number): Promise<void> => {
    // what an application does: show the QR, reconnect after the 515 restart, wait for open
    const auth = createMemoryAuthState();
    const pairing = TestClient.connect(wsUrl, auth);
    const qr = await pairing.waitForQr(60_000);
    const restart = pairing.waitForClose(60_000);
    reply({ type: 'qr', index, qr });
    await restart;
    const client = TestClient.connect(wsUrl, auth);
    await client.waitForOpen(60_000);
    client.sock.ev.on('messages.upsert', onUpsert);
    clients[index] = client;
    reply({ type: 'open', index });
  };
  const send = async (request: Extract<FloorRequest, { type: 'send' }>): Promise<void> => {
    let failures = 0;
    const start = Date.now();
    const sessions = request.to.length;
    await Promise.all(
      request.to.map(async (contacts, index) => {
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < request.perSession) {
            const i = next++;
            if (request.ratePerSecond) {
              // paced as bench/messaging.ts paces the gateway's sends: message i of each session
              // at start + i × sessions / rate
              const wait = start + (i * sessions * 1000) / request.ratePerSecond - Date.now();
              if (wait > 0) {
                await new Promise((resolve) => setTimeout(resolve, wait));
              }
            }
            try {
              await clients[index].sock.sendMessage(contacts[i % contacts.length], {
                text: `outbound ${i}`,
              });
            } catch {
              failures += 1;
            }
          }
        };
        await Promise.all(Array.from({ length: request.workers }, worker));
      }),
    );
    reply({ type: 'sent', failures });
  };
  process.on('message', (request: FloorRequest) => {
    switch (request.type) {
      case 'link':
        void linkOne(request.index);
        break;
      case 'expect':
        expected = request.total;
        received = 0;
        reply({ type: 'expecting' });
        break;
      case 'send':
        void send(request);
        break;
      case 'end':
        clients.forEach((client) => client.end());
        setTimeout(() => process.exit(0), 200);
        break;
    }
  });
  reply({ type: 'ready' });
}

if (require.main === module) {
  floorChild();
}
