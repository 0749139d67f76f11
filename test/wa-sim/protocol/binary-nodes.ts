import {
  getBinaryNodeChild,
  getBinaryNodeChildren,
  type BinaryNode,
} from '@whiskeysockets/baileys';

export const SERVER_JID = 's.whatsapp.net';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export const child = (node: BinaryNode | undefined, tag: string): BinaryNode | undefined =>
  getBinaryNodeChild(node, tag);

export const children = (node: BinaryNode | undefined, tag: string): BinaryNode[] =>
  getBinaryNodeChildren(node, tag);

/** Every child node, whatever its tag. */
export const allChildren = (node: BinaryNode | undefined): BinaryNode[] =>
  Array.isArray(node?.content) ? node.content : [];

/** The node's content as bytes (binary content, or a string encoded as UTF-8). */
export const contentBytes = (node: BinaryNode | undefined): Buffer | undefined => {
  const content = node?.content;
  if (content instanceof Uint8Array) {
    return Buffer.from(content);
  }
  if (typeof content === 'string') {
    return Buffer.from(content, 'utf8');
  }
  return undefined;
};

export const contentString = (node: BinaryNode | undefined): string | undefined =>
  contentBytes(node)?.toString('utf8');

/** Big-endian unsigned integer from a node's binary content (3-byte key ids, 4-byte registration ids). */
export const contentUInt = (node: BinaryNode | undefined): number | undefined => {
  const bytes = contentBytes(node);
  if (!bytes || bytes.length === 0 || bytes.length > 6) {
    return undefined;
  }
  return bytes.readUIntBE(0, bytes.length);
};

export const uintBytes = (value: number, length: number): Buffer => {
  const buffer = Buffer.alloc(length);
  buffer.writeUIntBE(value, 0, length);
  return buffer;
};

export const iqResult = (id: string, content?: BinaryNode[]): BinaryNode => ({
  tag: 'iq',
  attrs: { id, type: 'result', from: SERVER_JID },
  ...(content ? { content } : {}),
});

export const iqError = (id: string, code: number, text: string): BinaryNode => ({
  tag: 'iq',
  attrs: { id, type: 'error', from: SERVER_JID },
  content: [{ tag: 'error', attrs: { code: String(code), text } }],
});

export const node = (
  tag: string,
  attrs: Record<string, string | undefined> = {},
  content?: BinaryNode[] | Uint8Array | string,
): BinaryNode => {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined) {
      clean[key] = value;
    }
  }
  return content === undefined ? { tag, attrs: clean } : { tag, attrs: clean, content };
};
