import { isWordToken } from './word-split';

/** Punctuation written flush against the token before it: "know ." -> "know." */
const NO_SPACE_BEFORE = new Set(['.', ',', '!', '?', ';', ':', '%', ')', ']', '}', '。', '、', '」', '』', '〉', '》']);
/** Punctuation written flush against the token after it: "( yes" -> "(yes". */
const NO_SPACE_AFTER = new Set(['(', '[', '{', '$', '#', '¿', '¡', '「', '『', '〈', '《']);
/** DailyDialog writes the apostrophe both as ASCII ' and as U+2019 (NFKC keeps U+2019). */
const APOSTROPHES = new Set(["'", '’']);
/** What follows the apostrophe of a contraction: don't, it's, i'm, we'll, i've, you're, he'd, o'clock, ma'am. */
const CONTRACTION_ENDINGS = new Set(['t', 's', 'm', 'd', 'll', 've', 're', 'clock', 'am']);
/** "3 . 5", "1 , 000", "10 : 30" are one number or time. */
const NUMBER_SEPARATORS = new Set(['.', ',', ':']);
const DIGITS = /^\p{Nd}+$/u;
const STARTS_WITH_DIGIT = /^\p{Nd}/u;
/** Scripts written without spaces between words. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;
/** Code points that belong to the character before them: combining marks, emoji skin tones, variation selectors, ZWJ. */
const ATTACHES_TO_PREVIOUS = /^(?:\p{M}|\u200d|\ufe0f|[\u{1f3fb}-\u{1f3ff}])/u; // alternatives: in one class the linter reads ZWJ as joining its neighbours
const REGIONAL_INDICATOR = /^\p{Regional_Indicator}$/u;

/**
 * Joins `word` tokens back into readable text, one token at a time.
 *
 * The split `\w+|[^\w\s]` throws the spaces away, so they are re-inserted by rule (the Moses
 * detokenizer's idea, cut down to what a lower-cased chat corpus needs; no library does this for
 * JS). Every rule looks only at tokens already seen and the incoming one, never ahead, so the text
 * after n tokens is always a prefix of the text after n + 1: streaming and full decoding agree by
 * construction. The price is that an apostrophe is attached to the word before it before we know
 * whether a contraction follows ("james' car" is right, a quoting "' hi" becomes "x' hi").
 */
export class WordDetokenizer {
  private prev: string | undefined;
  private prevPrev: string | undefined;
  private insideDoubleQuote = false;

  /** Adds one token and returns the text it appends (separator included). */
  push(token: string): string {
    const separator = this.prev === undefined || this.joins(this.prevPrev, this.prev, token) ? '' : ' ';
    if (token === '"') this.insideDoubleQuote = !this.insideDoubleQuote;
    this.prevPrev = this.prev;
    this.prev = token;
    return separator + token;
  }

  private joins(before: string | undefined, prev: string, next: string): boolean {
    if (ATTACHES_TO_PREVIOUS.test(next) || prev === '\u200d' || NO_SPACE_AFTER.has(prev)) return true;
    if (next === '"') return this.insideDoubleQuote; // a closing quote
    if (NO_SPACE_BEFORE.has(next)) return true;
    if (prev === '"') return this.insideDoubleQuote; // just after an opening quote
    if (APOSTROPHES.has(next)) return isWordToken(prev);
    if (APOSTROPHES.has(prev)) return before !== undefined && isWordToken(before) && CONTRACTION_ENDINGS.has(next);
    if (next === '-') return isWordToken(prev);
    if (prev === '-') return before !== undefined && isWordToken(before) && isWordToken(next);
    if (NUMBER_SEPARATORS.has(prev)) return before !== undefined && DIGITS.test(before) && STARTS_WITH_DIGIT.test(next);
    if (REGIONAL_INDICATOR.test(prev) && REGIONAL_INDICATOR.test(next)) return true;
    return CJK.test(prev.at(-1)!) || CJK.test(next[0]!);
  }
}

/** Decodes a whole token sequence with the same rules. */
export function detokenize(tokens: Iterable<string>): string {
  const detokenizer = new WordDetokenizer();
  let text = '';
  for (const token of tokens) text += detokenizer.push(token);
  return text;
}
