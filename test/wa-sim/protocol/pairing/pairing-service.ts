import { randomBytes, randomInt } from 'node:crypto';
import { Curve, type BinaryNode, type KeyPair } from '@whiskeysockets/baileys';
import type { Account, AccountSetup } from '../../model/account';
import { normalizePhone } from '../../model/fixtures';
import type { ClientConnection } from '../../transport/client-connection';
import { child, contentBytes, node, nowSeconds, SERVER_JID } from '../binary-nodes';
import type { SimContext } from '../context';
import { deriveAdvSecret, unwrapWithCode, wrapWithCode } from './code-crypto';
import { linkDevice, PairingError, type LinkResult, type Registration } from './device-linking';

interface CodeRequest {
  connection: ClientConnection;
  ref: Buffer;
  wrappedCompanionEphemeral: Buffer;
  /** Set once the phone has "entered" the code. */
  primary?: {
    code: string;
    ephemeral: KeyPair;
    setup: AccountSetup;
    settle(result: Promise<LinkResult>): void;
  };
}

const QR_REF_COUNT = 6;
const CODE_REQUEST_WAIT_MS = 5_000;
const CODE_FINISH_TIMEOUT_MS = 15_000;

/**
 * Linking a new companion device to a simulated phone: QR pairing (pair-device refs, a scan) and
 * pairing by phone-number code (companion_hello → primary_hello → companion_finish). Either ends
 * in linkDevice: pair-success, then a 515 stream error; the client must reconnect and log in.
 */
export class PairingService {
  private readonly refs = new Map<string, ClientConnection>();
  private readonly registrations = new Map<ClientConnection, Registration>();
  private readonly codeRequests = new Map<string, CodeRequest>();

  constructor(private readonly sim: SimContext) {}

  /** A client without credentials connected: remember its keys and send it QR refs. */
  startRegistration(connection: ClientConnection, registration: Registration): void {
    this.registrations.set(connection, registration);
    const refs = Array.from(
      { length: QR_REF_COUNT },
      () => `2@${randomBytes(32).toString('base64')}`,
    );
    refs.forEach((ref) => this.refs.set(ref, connection));
    connection
      .query(
        node('iq', { type: 'set', xmlns: 'md', from: SERVER_JID }, [
          node(
            'pair-device',
            {},
            refs.map((ref) => node('ref', {}, Buffer.from(ref))),
          ),
        ]),
      )
      .catch((error: unknown) => this.sim.logger.debug({ err: error }, 'pair-device not answered'));
    this.sim.events.emit('pairing-requested', { connectionId: connection.id, refs });
  }

  forget(connection: ClientConnection): void {
    this.registrations.delete(connection);
    for (const [ref, owner] of this.refs) {
      if (owner === connection) {
        this.refs.delete(ref);
      }
    }
    for (const [phone, request] of this.codeRequests) {
      if (request.connection === connection) {
        this.codeRequests.delete(phone);
      }
    }
  }

  /**
   * The simulated phone scans a QR code shown by a client:
   * `https://wa.me/settings/linked_devices#ref,noiseKey,identityKey,advSecret,platform`.
   */
  async scan(qr: string, setup: AccountSetup): Promise<LinkResult> {
    const [ref = '', noiseKey = '', identityKey = '', advSecret = ''] = qr
      .slice(qr.lastIndexOf('#') + 1)
      .split(',');
    if (!advSecret) {
      throw new PairingError(400, 'not a WhatsApp Web QR code');
    }
    const connection = this.refs.get(ref);
    const registration = connection && this.registrations.get(connection);
    if (!connection?.isOpen || !registration) {
      throw new PairingError(
        404,
        'no connected client is showing this QR code (expired or already used)',
      );
    }
    if (!connection.clientStaticKey?.equals(Buffer.from(noiseKey, 'base64'))) {
      throw new PairingError(400, 'QR noise key does not match the client connection');
    }
    if (!registration.identityKey.equals(Buffer.from(identityKey, 'base64'))) {
      throw new PairingError(400, 'QR identity key does not match the registration');
    }
    return this.link(
      connection,
      registration,
      this.accountFor(setup),
      Buffer.from(advSecret, 'base64'),
      'qr',
      setup,
    );
  }

  /** `link_code_companion_reg stage=companion_hello`: the client asked for a pairing code. */
  onCompanionHello(connection: ClientConnection, request: BinaryNode): BinaryNode[] {
    const phone = normalizePhone(request.attrs.jid ?? '');
    const wrapped = contentBytes(
      child(request, 'link_code_pairing_wrapped_companion_ephemeral_pub'),
    );
    const serverAuthKey = contentBytes(child(request, 'companion_server_auth_key_pub'));
    if (!wrapped || wrapped.length !== 80) {
      throw new PairingError(400, 'companion_hello without a wrapped ephemeral key');
    }
    if (!serverAuthKey || !connection.clientStaticKey?.equals(serverAuthKey)) {
      throw new PairingError(400, 'companion_hello noise key does not match the connection');
    }
    const ref = Buffer.from(randomBytes(16).toString('base64url'));
    this.codeRequests.set(phone, { connection, ref, wrappedCompanionEphemeral: wrapped });
    this.sim.events.emit('pairing-code-requested', { phone, connectionId: connection.id });
    return [node('link_code_companion_reg', {}, [node('link_code_pairing_ref', {}, ref)])];
  }

  /** The phone's user types the code the client displays (after `requestPairingCode`). */
  async enterPairingCode(phone: string, code: string, setup: AccountSetup): Promise<LinkResult> {
    if (!this.codeRequests.has(phone)) {
      // requestPairingCode() resolves once its request is sent, maybe before it is processed here
      await this.sim.events
        .waitFor('pairing-code-requested', (event) => event.phone === phone, CODE_REQUEST_WAIT_MS)
        .catch(() => undefined);
    }
    const request = this.codeRequests.get(phone);
    if (!request?.connection.isOpen) {
      throw new PairingError(404, `no connected client is waiting for a pairing code for ${phone}`);
    }
    const account = this.accountFor({ ...setup, phone });
    const ephemeral = Curve.generateKeyPair();
    const wrapped = await wrapWithCode(code, ephemeral.public);
    const finished = new Promise<LinkResult>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PairingError(408, 'client did not finish code pairing')),
        CODE_FINISH_TIMEOUT_MS,
      );
      request.primary = {
        code,
        ephemeral,
        setup,
        settle: (result) => {
          clearTimeout(timer);
          result.then(resolve, reject);
        },
      };
    });
    request.connection.send(
      node(
        'notification',
        {
          from: SERVER_JID,
          type: 'link_code_companion_reg',
          id: String(randomInt(1e9)),
          t: String(nowSeconds()),
        },
        [
          node('link_code_companion_reg', { stage: 'primary_hello' }, [
            node('link_code_pairing_ref', {}, request.ref),
            node('primary_identity_pub', {}, Buffer.from(account.user.signal.identityKey.public)),
            node('link_code_pairing_wrapped_primary_ephemeral_pub', {}, wrapped),
          ]),
        ],
      ),
    );
    return finished;
  }

  /**
   * `link_code_companion_reg stage=companion_finish`: derive the ADV secret as the client did
   * (a wrong code fails here, PairingError 403). Returns the linking step, to run once the IQ is
   * answered.
   */
  async onCompanionFinish(
    connection: ClientConnection,
    request: BinaryNode,
  ): Promise<() => Promise<LinkResult>> {
    const phone = normalizePhone(request.attrs.jid ?? '');
    const pending = this.codeRequests.get(phone);
    const primary = pending?.primary;
    const registration = this.registrations.get(connection);
    if (!pending || !primary || pending.connection !== connection || !registration) {
      throw new PairingError(404, 'companion_finish without a pending pairing code');
    }
    this.codeRequests.delete(phone);
    try {
      const bundle = contentBytes(child(request, 'link_code_pairing_wrapped_key_bundle'));
      const companionIdentity = contentBytes(child(request, 'companion_identity_public'));
      if (!bundle || bundle.length < 60 || !companionIdentity?.equals(registration.identityKey)) {
        throw new PairingError(
          400,
          'companion_finish without a key bundle or with another identity',
        );
      }
      const account = this.accountFor({ ...primary.setup, phone });
      const advSecret = deriveAdvSecret(
        bundle,
        await unwrapWithCode(primary.code, pending.wrappedCompanionEphemeral),
        primary.ephemeral,
        companionIdentity,
        account.user.signal.identityKey,
      );
      return () => {
        const result = this.link(
          connection,
          registration,
          account,
          advSecret,
          'code',
          primary.setup,
        );
        primary.settle(result);
        return result;
      };
    } catch (error) {
      primary.settle(Promise.reject(error instanceof Error ? error : new Error(String(error))));
      throw error;
    }
  }

  private accountFor(setup: AccountSetup): Account {
    return (
      (setup.phone && this.sim.directory.account(setup.phone)) ||
      this.sim.directory.createAccount(setup)
    );
  }

  private link(
    connection: ClientConnection,
    registration: Registration,
    account: Account,
    advSecret: Buffer,
    method: 'qr' | 'code',
    setup: AccountSetup,
  ): Promise<LinkResult> {
    this.forget(connection);
    return linkDevice(
      this.sim,
      connection,
      registration,
      account,
      advSecret,
      method,
      setup.platform,
    );
  }
}
