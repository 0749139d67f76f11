import { EventEmitter } from 'node:events';
import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nextEmitted } from './next-emitted';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  raw: string;
  body: { type: string; token: string; event: unknown; [key: string]: unknown };
  /** What the receiver answered (0: it hung). */
  status: number;
}

/** How the receiver answers one request: a status (with headers), or `hang` (never answers). */
export type Answer = number | { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A local HTTP server standing in for an integrator's webhook endpoint. `answer` decides each
 * response (default 200); every request is recorded, and `next` awaits one.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (request: Omit<ReceivedWebhook, 'status'>) => Answer = () => 200;
  private readonly events = new EventEmitter<{ request: [ReceivedWebhook] }>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}`);
    server.keepAliveTimeout = 60_000;
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => receiver.handle(req.url ?? '/', req.headers, Buffer.concat(chunks), res));
    });
    return receiver;
  }

  /** Resolves with the next request (answered) matching `predicate`. */
  next(
    predicate: (webhook: ReceivedWebhook) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<ReceivedWebhook> {
    return nextEmitted<ReceivedWebhook>(this.events, 'request', predicate, timeoutMs, 'a webhook');
  }

  /** Resolves once `count` requests matching `predicate` have arrived (counting earlier ones). */
  async count(
    predicate: (webhook: ReceivedWebhook) => boolean,
    count: number,
    timeoutMs = 20_000,
  ): Promise<ReceivedWebhook[]> {
    const matching = () => this.received.filter(predicate);
    if (matching().length >= count) {
      return matching();
    }
    await nextEmitted<ReceivedWebhook>(
      this.events,
      'request',
      () => matching().length >= count,
      timeoutMs,
      `${count} webhooks`,
    );
    return matching();
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) {
      res.destroy();
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(path: string, headers: IncomingHttpHeaders, raw: Buffer, res: ServerResponse) {
    const text = raw.toString('utf8');
    let body: ReceivedWebhook['body'];
    try {
      body = JSON.parse(text) as ReceivedWebhook['body'];
    } catch {
      body = { type: 'unparseable', token: '', event: text };
    }
    const request = { path, headers, raw: text, body };
    const answer = this.answer(request);
    if (answer === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      this.record({ ...request, status: 0 });
      return;
    }
    const { status, headers: extra } =
      typeof answer === 'number' ? { status: answer, headers: {} } : answer;
    res.writeHead(status, { 'content-type': 'text/plain', ...extra });
    res.end(status < 300 ? 'ok' : 'no');
    this.record({ ...request, status });
  }

  private record(webhook: ReceivedWebhook): void {
    this.received.push(webhook);
    this.events.emit('request', webhook);
  }
}
