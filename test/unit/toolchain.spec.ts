import { Curve, decodeBinaryNode, encodeBinaryNode } from '@whiskeysockets/baileys';

describe('toolchain', () => {
  it('loads the ESM-only Baileys package inside Jest', async () => {
    const node = await decodeBinaryNode(encodeBinaryNode({ tag: 'iq', attrs: { id: '1' } }));
    expect(node.tag).toBe('iq');
    expect(Curve.generateKeyPair().public).toHaveLength(32);
  });
});
