export interface NormalizeOptions {
  lowercase: boolean;
}

// JS `\s` (with or without the u flag) is Unicode White_Space plus U+FEFF, so a stray BOM inside a turn becomes a space.
const WHITESPACE_RUN = /\s+/g;
/** Anything the whitespace rule would change; testing first skips the replace for most utterances (3x faster). */
const IRREGULAR_WHITESPACE = /[^\S ]| {2}|^ | $/;

/** ES2024 String methods (Node >= 20) that the project's ES2022 `lib` does not declare. */
interface WellFormedString {
  toWellFormed(): string;
}

/**
 * The normalisation every tokenizer kind applies before splitting: lone UTF-16 surrogates (possible in
 * JSON from a client) to U+FFFD, as UTF-8 encoding would do anyway; Unicode NFKC (full-width letters
 * and punctuation to their plain forms, ligatures split); every whitespace run to one ASCII space,
 * trimmed; then optional lower-casing (after NFKC, as the benchmark specifies).
 */
export function normalizeText(text: string, { lowercase }: NormalizeOptions): string {
  let normalized = (text as unknown as WellFormedString).toWellFormed().normalize('NFKC');
  if (IRREGULAR_WHITESPACE.test(normalized)) normalized = normalized.replace(WHITESPACE_RUN, ' ').trim();
  return lowercase ? normalized.toLowerCase() : normalized;
}
