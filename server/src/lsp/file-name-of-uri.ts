// The file path behind a document URI: includes resolve beside a `file:` document, and an open
// document's buffer stands for its file when includes read it.

import { fileURLToPath } from 'node:url';

/** The file path of a `file:` URI; undefined otherwise. */
export function fileNameOf(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}
