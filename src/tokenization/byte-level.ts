/**
 * The byte <-> character table of byte-level BPE (GPT-2's `bytes_to_unicode`, which the `tokenizers`
 * ByteLevel pre-tokenizer uses): printable Latin-1 bytes stand for themselves, the other 68 bytes for
 * U+0100 onwards. The binding exposes the 256 characters (`byteLevelAlphabet()`) but not which byte
 * each one stands for, and decoding must work on bytes to hold back split UTF-8 characters, so the
 * table is rebuilt here (the spec checks it against the binding).
 */
function buildByteToChar(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) table.push(String.fromCharCode(printable(b) ? b : 256 + shifted++));
  return table;
}

/** `BYTE_TO_CHAR[b]` is the character that stands for byte b, in byte order. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((char, byte) => [char, byte]));

/** The bytes a byte-level token stands for; undefined if it holds a character outside the table. */
export function byteLevelToBytes(token: string): Uint8Array | undefined {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const byte = CHAR_TO_BYTE.get(token[i]!);
    if (byte === undefined) return undefined;
    bytes[i] = byte;
  }
  return bytes;
}

const utf8 = new TextEncoder();

/** A piece of text as a byte-level token string: its UTF-8 bytes, one character each. */
export function toByteLevel(text: string): string {
  let chars = '';
  for (const byte of utf8.encode(text)) chars += BYTE_TO_CHAR[byte];
  return chars;
}
