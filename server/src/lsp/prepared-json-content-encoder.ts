// The server's JSON-RPC content encoder: vscode-jsonrpc's application/json encoder, except that a
// message whose params (a notification) or result (a response) are a PreparedJson (JSON text built
// ahead as ASCII bytes, such as the diagnostics of a 50,000-line file) is written from those bytes
// instead of JSON.stringify-ing tens of thousands of objects.

import type { ContentTypeEncoder, ContentTypeEncoderOptions, Message } from 'vscode-languageserver/node';

/**
 * A value as JSON text in ASCII bytes (non-ASCII escaped as \uXXXX): `buffer[start, end)`, with
 * room before `start` and one byte after `end` where the encoder writes the envelope in place.
 * Used once: encoding writes into the buffer.
 */
export class PreparedJson {
  constructor(readonly buffer: Buffer, readonly start: number, readonly end: number) {}

  get length(): number {
    return this.end - this.start;
  }

  /** For anything else that serialises the message (a verbose protocol trace): the value itself. */
  toJSON(): unknown {
    return JSON.parse(this.buffer.toString('latin1', this.start, this.end));
  }
}

const NON_ASCII = /[\u007f-\uffff]/g;

/** JSON.stringify with every non-ASCII UTF-16 unit escaped (the same value once parsed). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `member` of `msg` is the prepared value. */
function encodePrepared(msg: Message, member: 'params' | 'result', prepared: PreparedJson): Uint8Array {
  const rest: Record<string, unknown> = { ...msg };
  delete rest[member];
  // The envelope (jsonrpc, method or id) with the prepared value as its last member.
  const envelope = asciiJson(rest);
  const head = `${envelope.slice(0, -1)}${envelope.length > 2 ? ',' : ''}"${member}":`;
  const { buffer, start, end } = prepared;
  if (head.length <= start) {
    buffer.write(head, start - head.length, 'latin1');
    buffer[end] = 0x7d; // }
    return buffer.subarray(start - head.length, end + 1);
  }
  return Buffer.concat([Buffer.from(head, 'latin1'), buffer.subarray(start, end), Buffer.from('}')]);
}

export const preparedJsonContentEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode(msg: Message, options: ContentTypeEncoderOptions): Promise<Uint8Array> {
    try {
      const { params, result } = msg as { params?: unknown; result?: unknown };
      if (params instanceof PreparedJson) return Promise.resolve(encodePrepared(msg, 'params', params));
      if (result instanceof PreparedJson) return Promise.resolve(encodePrepared(msg, 'result', result));
      return Promise.resolve(Buffer.from(JSON.stringify(msg, undefined, 0), options.charset));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};
