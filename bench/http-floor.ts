/**
 * The HTTP floor of the ingest benchmark on this machine: a bare Express app (no Nest, no auth,
 * no database) that parses the same 003 `Message` body and answers the envelope, loaded by
 * autocannon exactly as bench/webhooks.ts loads the gateway (64 connections, 10 s). Prints
 * requests/s, p50 and the server's CPU per request, the cost every ingest pays before any work.
 *   npx tsx bench/http-floor.ts
 */
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function serve(): void {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.post('/api/v1/webhook', (req, res) => {
    const body = req.body as { type?: string };
    res.json({ success: true, message: 'Event received', data: { type: body.type, stored: true } });
  });
  const server = app.listen(0, '127.0.0.1', () => {
    process.send?.((server.address() as AddressInfo).port);
  });
}

async function main(): Promise<void> {
  const child = fork(__filename, ['serve'], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve(Number(m))),
  );
  const body = JSON.stringify({
    type: 'Message',
    token: 'floor-1',
    event: {
      Info: {
        ID: '3EB0FLOOR',
        Chat: '6281234567890@s.whatsapp.net',
        Sender: '6281234567890@s.whatsapp.net',
        IsFromMe: false,
        IsGroup: false,
        PushName: 'Floor',
        Type: 'text',
        Timestamp: '2025-08-14T14:55:01+07:00',
      },
      Message: { conversation: 'halo' },
    },
  });
  const before = cpuMs(child.pid ?? 0);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/v1/webhook`,
    method: 'POST',
    connections: 64,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', authorization: 'Bearer floor' },
    body,
  });
  const cpu = cpuMs(child.pid ?? 0) - before;
  child.kill();
  process.stdout.write(
    `http floor: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, ` +
      `p99 ${result.latency.p99} ms, server CPU ${(cpu / result.requests.total).toFixed(3)} ms/req, ` +
      `non-2xx ${result.non2xx}\n`,
  );
}

if (process.argv[2] === 'serve') {
  serve();
} else {
  void main();
}
