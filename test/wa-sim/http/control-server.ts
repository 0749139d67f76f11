import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PairingError } from '../protocol/pairing/device-linking';
import type { ContactPresence } from '../protocol/inbound';
import type { WaSimulator } from '../simulator';
import { PLACEHOLDER_JPEG } from './placeholder-picture';
import {
  HttpError,
  linkOptions,
  optionalList,
  optionalString,
  readJson,
  requiredNumber,
  requiredString,
  sendOptions,
  stringList,
  type Body,
} from './request-body';

const PRESENCE_STATES: ContactPresence[] = [
  'available',
  'unavailable',
  'composing',
  'recording',
  'paused',
];

type Route = (params: string[], body: Body) => unknown;

/**
 * The simulator's JSON control API, for driving it from outside the process (curl, a gateway
 * under manual test). See README.md for the routes.
 */
export class ControlServer {
  private readonly routes: Array<{ method: string; pattern: RegExp; handle: Route }>;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    sim: WaSimulator,
  ) {
    const account = (phone: string | undefined) => {
      const found = sim.findAccount(phone ?? '');
      if (!found) {
        throw new HttpError(404, `no simulated account ${phone}`);
      }
      return found;
    };
    this.routes = [
      {
        method: 'GET',
        pattern: /^\/$/,
        handle: () => ({
          ws: sim.wsUrl,
          http: sim.httpUrl,
          rootPublicKeyHex: sim.rootPublicKeyHex,
        }),
      },
      {
        method: 'POST',
        pattern: /^\/scan$/,
        handle: (_, body) => sim.scan(requiredString(body, 'qr'), linkOptions(body)),
      },
      {
        method: 'POST',
        pattern: /^\/pair-code$/,
        handle: (_, body) =>
          sim.enterPairingCode(
            requiredString(body, 'phone'),
            requiredString(body, 'code'),
            linkOptions(body),
          ),
      },
      {
        method: 'GET',
        pattern: /^\/accounts$/,
        handle: () => sim.accounts().map((handle) => handle.info()),
      },
      {
        method: 'GET',
        pattern: /^\/accounts\/([^/]+)$/,
        handle: ([phone]) => {
          const handle = account(phone);
          return { ...handle.info(), contacts: handle.contacts, groups: handle.groups };
        },
      },
      {
        method: 'POST',
        pattern: /^\/accounts\/([^/]+)\/inbound$/,
        handle: ([phone], body) =>
          account(phone).sendText(
            requiredString(body, 'from'),
            requiredString(body, 'text'),
            sendOptions(body),
          ),
      },
      {
        method: 'POST',
        pattern: /^\/accounts\/([^/]+)\/presence$/,
        handle: ([phone], body) => {
          const state = requiredString(body, 'state') as ContactPresence;
          if (!PRESENCE_STATES.includes(state)) {
            throw new HttpError(400, `state must be one of ${PRESENCE_STATES.join(', ')}`);
          }
          account(phone).sendPresence(requiredString(body, 'from'), state, {
            group: optionalString(body, 'group'),
          });
          return { ok: true };
        },
      },
      {
        method: 'GET',
        pattern: /^\/accounts\/([^/]+)\/received$/,
        handle: ([phone]) =>
          account(phone)
            .received()
            .map(({ to, text, id, type, fromDevice, timestamp }) => ({
              to,
              text,
              id,
              type,
              fromDevice,
              timestamp,
            })),
      },
      {
        method: 'POST',
        pattern: /^\/accounts\/([^/]+)\/kick$/,
        handle: ([phone], body) => ({ kicked: account(phone).kick(requiredNumber(body, 'code')) }),
      },
      {
        method: 'POST',
        pattern: /^\/accounts\/([^/]+)\/drop$/,
        handle: ([phone]) => ({ dropped: account(phone).drop() }),
      },
      {
        method: 'POST',
        pattern: /^\/accounts\/([^/]+)\/unlink$/,
        handle: ([phone]) => {
          account(phone).unlink();
          return { ok: true };
        },
      },
      {
        method: 'POST',
        pattern: /^\/accounts\/([^/]+)\/receipt$/,
        handle: ([phone], body) => {
          const type = requiredString(body, 'type');
          if (type !== 'delivery' && type !== 'read' && type !== 'played') {
            throw new HttpError(400, '"type" must be delivery, read or played');
          }
          account(phone).sendReceipt(
            requiredString(body, 'chat'),
            stringList(body, 'ids'),
            type,
            optionalString(body, 'participant'),
          );
          return { ok: true };
        },
      },
      {
        method: 'POST',
        pattern: /^\/accounts\/([^/]+)\/group-event$/,
        handle: ([phone], body) => {
          account(phone).changeGroup(requiredString(body, 'group'), {
            by: requiredString(body, 'by'),
            subject: optionalString(body, 'subject'),
            description: body.description === null ? null : optionalString(body, 'description'),
            add: optionalList(body, 'add'),
            remove: optionalList(body, 'remove'),
            promote: optionalList(body, 'promote'),
            demote: optionalList(body, 'demote'),
          });
          return { ok: true };
        },
      },
      {
        method: 'POST',
        pattern: /^\/accounts\/([^/]+)\/refuse$/,
        handle: ([phone], body) => {
          account(phone).refuseConnections(requiredNumber(body, 'ms'));
          return { ok: true };
        },
      },
      {
        method: 'POST',
        pattern: /^\/refuse$/,
        handle: (_, body) => {
          sim.refuseConnections(requiredNumber(body, 'ms'));
          return { ok: true };
        },
      },
      {
        method: 'POST',
        pattern: /^\/picture-faults$/,
        handle: (_, body) => {
          const code = (body as { code?: unknown }).code;
          sim.failPictures(
            optionalList(body, 'jids') ?? [],
            code === null ? null : typeof code === 'number' ? code : 500,
          );
          return { ok: true };
        },
      },
      { method: 'GET', pattern: /^\/unhandled-iqs$/, handle: () => sim.unhandledIqs },
    ];
  }

  static async start(sim: WaSimulator, host: string, port: number): Promise<ControlServer> {
    const holder: { control?: ControlServer } = {};
    const server = createServer((request, response) => {
      void holder.control?.handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    holder.control = new ControlServer(
      server,
      `http://${host}:${(server.address() as AddressInfo).port}`,
      sim,
    );
    return holder.control;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (request.method === 'GET' && path.startsWith('/pictures/')) {
      response.writeHead(200, {
        'content-type': 'image/jpeg',
        'content-length': PLACEHOLDER_JPEG.length,
      });
      response.end(PLACEHOLDER_JPEG);
      return;
    }
    try {
      const matching = this.routes.filter((route) => route.pattern.test(path));
      const route = matching.find((candidate) => candidate.method === request.method);
      if (!route) {
        throw new HttpError(
          matching.length ? 405 : 404,
          matching.length ? 'method not allowed' : 'not found',
        );
      }
      const params = (route.pattern.exec(path) ?? [])
        .slice(1)
        .map((param) => decodeURIComponent(param));
      const body = request.method === 'POST' ? await readJson(request) : {};
      reply(response, 200, await route.handle(params, body));
    } catch (error) {
      const status =
        error instanceof HttpError || error instanceof PairingError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      reply(response, status, { error: message });
    }
  }
}

function reply(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload ?? null);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
