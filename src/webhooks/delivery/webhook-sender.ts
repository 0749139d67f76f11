import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import type { AttemptResult } from './retry-policy';

export interface OutgoingWebhook {
  url: string;
  /** Standard Webhooks secret (`whsec_<base64>`); empty sends no signature. */
  secret: string;
  webhookId: string;
  body: string;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the base64-decoded secret as key. */
export function standardWebhookSignature(
  secret: string,
  webhookId: string,
  timestampSeconds: number,
  body: string,
): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key)
    .update(`${webhookId}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** POSTs webhooks over kept-alive connections (undici), one attempt each, with a timeout. */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    private readonly timeoutMs: number,
    connections: number,
  ) {
    this.agent = new Agent({
      connections,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 300_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  async send(webhook: OutgoingWebhook, now = new Date()): Promise<AttemptResult> {
    const timestamp = Math.floor(now.getTime() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'wa-gateway-webhooks',
      'webhook-id': webhook.webhookId,
      'webhook-timestamp': String(timestamp),
    };
    if (webhook.secret) {
      headers['webhook-signature'] = standardWebhookSignature(
        webhook.secret,
        webhook.webhookId,
        timestamp,
        webhook.body,
      );
    }
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await request(webhook.url, {
        method: 'POST',
        headers,
        body: webhook.body,
        dispatcher: this.agent,
        signal,
      });
      await response.body.dump();
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'response',
        statusCode: response.statusCode,
        retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
      };
    } catch (error) {
      const timedOut =
        signal.aborted ||
        ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'].includes(
          (error as { code?: string }).code ?? '',
        );
      const code = (error as { code?: string }).code;
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'error', message: code ? `${code}: ${message}` : message, timedOut };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
