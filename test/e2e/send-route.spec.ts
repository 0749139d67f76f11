import { useLinkedGateway } from '../support/messaging-harness';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

const SESSION = 'plain-1';

interface Answer {
  status: number;
  body: { success: boolean; message: string; data?: Record<string, unknown>; errors?: unknown };
  requestId: string | null;
  rateLimited: boolean;
}

/**
 * `POST /sessions/:id/messages` with a JSON body is served outside Nest's pipeline (SendRoute);
 * a multipart body still takes Nest's route. Both must give every caller the same answer: the
 * same guards, pipes, validation and envelope, the request id and the rate-limit headers.
 */
describe(`REST sends outside Nest's pipeline answer as Nest's route does (${testTier()})`, () => {
  const linked = useLinkedGateway(SESSION);
  let keys: { readOnly: string; otherSession: string; sender: string };

  beforeAll(async () => {
    const create = async (sessions: string[], permissions: string[]): Promise<string> => {
      const response = await linked.current.gateway.post('/api-keys', {
        name: 'send route',
        sessions,
        permissions,
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { data: { key: string } }).data.key;
    };
    keys = {
      readOnly: await create([SESSION], ['read']),
      otherSession: await create(['elsewhere-1'], ['read', 'send']),
      sender: await create([SESSION], ['read', 'send']),
    };
  });

  /** The same send as JSON (SendRoute) and as multipart/form-data (Nest's route). */
  async function bothWays(
    session: string,
    fields: Record<string, string>,
    key: string | null = linked.current.gateway.apiKey,
  ): Promise<{ json: Answer; multipart: Answer }> {
    const { url } = linked.current.gateway;
    const auth: Record<string, string> = key === null ? {} : { Authorization: `Bearer ${key}` };
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      form.append(name, value);
    }
    const answer = async (init: RequestInit): Promise<Answer> => {
      const response = await fetch(`${url}/sessions/${encodeURIComponent(session)}/messages`, {
        method: 'POST',
        ...init,
      });
      return {
        status: response.status,
        body: (await response.json()) as Answer['body'],
        requestId: response.headers.get('x-request-id'),
        rateLimited: response.headers.has('ratelimit-limit'),
      };
    };
    return {
      json: await answer({
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(fields),
      }),
      multipart: await answer({ headers: auth, body: form }),
    };
  }

  const text = (): Record<string, string> => ({
    to: linked.current.account.contacts[0].pn,
    type: 'text',
    message: 'plain route',
  });

  it.each([
    ['no key', SESSION, null, 401],
    ['a wrong key', SESSION, 'wag_not-a-key', 401],
    ['a read-only key', SESSION, 'readOnly', 403],
    ['a key scoped to another session', SESSION, 'otherSession', 404],
    ['an invalid session id', 'bad id!', undefined, 400],
    ['an unknown session', 'nobody-1', undefined, 404],
  ] as const)('refuses %s alike', async (_case, session, keyName, status) => {
    const key =
      keyName === undefined || keyName === null || keyName.startsWith('wag_')
        ? keyName
        : keys[keyName as keyof typeof keys];
    const { json, multipart } = await bothWays(session, text(), key);
    expect(json.status).toBe(status);
    expect(json.body.success).toBe(false);
    expect({ ...json, requestId: Boolean(json.requestId) }).toEqual({
      ...multipart,
      requestId: Boolean(multipart.requestId),
    });
  });

  it('names the same bad fields', async () => {
    const { json, multipart } = await bothWays(SESSION, { type: 'text', bogus: 'x' });
    expect(json.status).toBe(400);
    expect(json.body.errors).toEqual(multipart.body.errors);
    expect(json.body.message).toBe(multipart.body.message);
  });

  it('sends with a send key, in the same envelope, and counts both in the route metric', async () => {
    const { gateway } = linked.current;
    const before = await routeCount(gateway);
    const { json, multipart } = await bothWays(SESSION, text(), keys.sender);
    expect([json.status, multipart.status]).toEqual([201, 201]);
    expect(json.body.message).toBe('Message sent');
    expect(Object.keys(json.body.data ?? {}).sort()).toEqual(
      Object.keys(multipart.body.data ?? {}).sort(),
    );
    expect(json.body.data?.messageId).not.toEqual(multipart.body.data?.messageId);
    expect(json.requestId).toMatch(/\S/);
    expect([json.rateLimited, multipart.rateLimited]).toEqual([true, true]);
    expect((await routeCount(gateway)) - before).toBe(2);
  });

  it('takes the caller’s X-Request-Id', async () => {
    const { gateway, account } = linked.current;
    const response = await fetch(`${gateway.url}/sessions/${SESSION}/messages`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${gateway.apiKey}`,
        'Content-Type': 'application/json',
        'X-Request-Id': 'send-route-test-1',
      },
      body: JSON.stringify({ to: account.contacts[0].pn, message: 'with an id' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('send-route-test-1');
  });
});

/** Requests to the send route answered 201, from `/metrics`. */
async function routeCount(gateway: TestApp): Promise<number> {
  const text = await (await gateway.request('/metrics')).text();
  const line = text
    .split('\n')
    .find(
      (row) =>
        row.startsWith('http_request_duration_seconds_count') &&
        row.includes('route="/sessions/:id/messages"') &&
        row.includes('status_code="201"'),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}
