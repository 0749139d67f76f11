/**
 * Baileys' auth values as JSON in the `BufferJSON` format (`{"type":"Buffer","data":"<base64>"}`
 * for bytes), byte for byte what `JSON.stringify(value, BufferJSON.replacer)` writes, without
 * its cost: a Buffer's own `toJSON` runs before the replacer and first spells the bytes out as
 * an array of numbers, which made serializing Signal sessions a tenth of the inbound path.
 */
export function encodeAuthValue(value: unknown): string {
  return JSON.stringify(jsonReady(value, ''));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json } | undefined;

function bufferJson(bytes: Uint8Array): { type: 'Buffer'; data: string } {
  return {
    type: 'Buffer',
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}

function jsonReady(value: unknown, key: string): Json {
  if (value === null || typeof value !== 'object') {
    return value as Json;
  }
  if (value instanceof Uint8Array) {
    return bufferJson(value);
  }
  const withToJson = value as { toJSON?: (key: string) => unknown };
  if (typeof withToJson.toJSON === 'function') {
    // as JSON.stringify does: the value's own toJSON (dates, protobuf messages) comes first
    return jsonReady(withToJson.toJSON(key), key);
  }
  const object = value as { type?: unknown; data?: unknown };
  if (object.type === 'Buffer') {
    // what BufferJSON.replacer makes of a Buffer already spelled out as JSON
    return bufferJson(Buffer.from((object.data || object) as Uint8Array));
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown, index) => jsonReady(item, String(index)));
  }
  const ready: { [key: string]: Json } = {};
  for (const [name, item] of Object.entries(value)) {
    ready[name] = jsonReady(item, name);
  }
  return ready;
}
