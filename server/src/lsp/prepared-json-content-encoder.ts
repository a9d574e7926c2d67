// The server's JSON-RPC content encoder: vscode-jsonrpc's application/json encoder, except that a
// message whose params are a PreparedJson (JSON text built ahead in ASCII chunks, such as the
// diagnostics of a 50,000-line file) is written from those chunks instead of JSON.stringify-ing
// tens of thousands of objects again.

import type { ContentTypeEncoder, ContentTypeEncoderOptions, Message } from 'vscode-languageserver/node';

/** JSON text in chunks, all ASCII (non-ASCII escaped as \uXXXX): bytes equal characters. */
export class PreparedJson {
  constructor(readonly chunks: readonly string[]) {}

  get length(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** For anything else that serialises the message (a verbose protocol trace): the value itself. */
  toJSON(): unknown {
    return JSON.parse(this.chunks.join(''));
  }
}

const NON_ASCII = /[\u007f-\uffff]/g;

/** JSON.stringify with every non-ASCII UTF-16 unit escaped (the same value once parsed). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encodePrepared(msg: Message & { params: PreparedJson }): Buffer {
  const { params, ...rest } = msg;
  // The envelope (jsonrpc, method, id) with the prepared params spliced in as the last member.
  const head = asciiJson(rest).slice(0, -1);
  const parts = [`${head}${head.length > 1 ? ',' : ''}"params":`, ...params.chunks, '}'];
  let length = 0;
  for (const p of parts) length += p.length;
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const p of parts) at += out.write(p, at, 'latin1');
  return out;
}

export const preparedJsonContentEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode(msg: Message, options: ContentTypeEncoderOptions): Promise<Uint8Array> {
    try {
      const params = (msg as { params?: unknown }).params;
      if (params instanceof PreparedJson) return Promise.resolve(encodePrepared(msg as Message & { params: PreparedJson }));
      return Promise.resolve(Buffer.from(JSON.stringify(msg, undefined, 0), options.charset));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};
