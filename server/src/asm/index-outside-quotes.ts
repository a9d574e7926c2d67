// Scanning GAS directive text while skipping quoted strings (with backslash escapes), for the
// places that split or cut a line at a character only when it stands outside a string.

/** Index of the first position outside quotes where `found(i)` holds, or -1. */
export function indexOutsideQuotes(text: string, quotes: string, found: (i: number) => boolean): number {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (quotes.includes(c)) quote = c;
    else if (found(i)) return i;
  }
  return -1;
}
