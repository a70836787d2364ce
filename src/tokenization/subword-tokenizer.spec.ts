import fc from 'fast-check';
import { Tokenizer as LibraryTokenizer, byteLevelAlphabet } from 'tokenizers';
import { BYTE_TO_CHAR } from './byte-level';
import { preTokenizeToByteLevel } from './subword-pre-tokenizer';
import { SubwordTokenizer } from './subword-tokenizer';
import { MIN_SUBWORD_VOCAB_SIZE, trainSubwordTokenizer } from './train-subword-tokenizer';
import { EOS_ID, UNK_ID } from './tokenizer';

const ENGLISH = [
  'Say , Jim , how about going for a few beers after dinner ?',
  'You know that is tempting but is really not good for our fitness .',
  "What do you mean ? It will help us to relax . I don't think so .",
  'I guess you are right . But what shall we do ? I do not feel like sitting at home .',
  'I suggest a walk over to the gym where we can play and meet some of our friends .',
].flatMap((turn) => [turn, turn.toLowerCase()]);
const JAPANESE = ['今日は涼しいですね', 'コーヒーを飲みに行きましょう！', 'よろしくお願いします。'];
const UNSEEN = ['日本語のテキスト、初めて見ました', 'emoji 👍🏽🇯🇵 and 👨‍👩‍👧', 'Zyzzyva naïve ﬁancée ①', '汉字和中文'];

/** Any JS string at all: lone surrogates, controls, U+FFFD, unassigned code points. */
const anyText = fc.string({ unit: 'binary', maxLength: 30 });
/**
 * Chat-like text from character ranges whose Unicode properties are old enough that Node and the
 * library's regex tables agree (they differ on recently assigned characters, see subword-pre-tokenizer.ts).
 */
const CHAT_RANGES = [
  [0x09, 0x0d], [0x20, 0x7e], [0xa0, 0xff], [0x300, 0x36f], [0x200d, 0x200d], [0x2019, 0x2019], [0x3000, 0x30ff],
  [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0xfe0f, 0xfe0f], [0xff01, 0xff5e], [0x1f1e6, 0x1f1ff], [0x1f300, 0x1f64f],
] as const;
const chatText = fc.string({
  unit: fc.oneof(...CHAT_RANGES.map(([min, max]) => fc.integer({ min, max }))).map((cp) => String.fromCodePoint(cp)),
  maxLength: 30,
});

describe(SubwordTokenizer.name, () => {
  let english: SubwordTokenizer;
  beforeAll(async () => {
    english = await trainSubwordTokenizer(ENGLISH, { vocabSize: 400 });
  });

  it('has exactly the requested vocabulary size when the text allows it', () => {
    expect(english.vocabSize).toBe(400);
  });

  it('keeps fewer merges for a smaller size or a higher minCount', async () => {
    const small = await trainSubwordTokenizer(ENGLISH, { vocabSize: 300 });
    expect(small.vocabSize).toBe(300);
    const frequent = await trainSubwordTokenizer(ENGLISH, { vocabSize: 5000, minCount: 4 });
    expect(frequent.vocabSize).toBeGreaterThan(MIN_SUBWORD_VOCAB_SIZE);
    expect(frequent.vocabSize).toBeLessThan(400);
    await expect(trainSubwordTokenizer(ENGLISH, { vocabSize: MIN_SUBWORD_VOCAB_SIZE - 1 })).rejects.toThrow(RangeError);
  });

  // What broke before: a byte-level BPE trained by the library on English alone had no token for
  // bytes it never saw, and decoded Japanese to U+FFFD.
  test.each([...JAPANESE, ...UNSEEN, ...ENGLISH.slice(0, 2)])('trained on English, round-trips %j without <unk>', (text) => {
    const ids = english.encode(text);
    expect(ids).not.toContain(UNK_ID);
    expect(english.decode(ids)).toBe(english.normalize(text));
  });

  it('round-trips any text at all, and never uses <unk>', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, chatText), (text) => {
        const ids = english.encode(text);
        expect(ids).not.toContain(UNK_ID);
        expect(english.decode(ids)).toBe(english.normalize(text));
      }),
    );
  });

  it('learns Japanese pieces when trained on Japanese', async () => {
    const mixed = await trainSubwordTokenizer([...ENGLISH, ...JAPANESE, ...JAPANESE], { vocabSize: 600 });
    const text = '今日は涼しいですね';
    expect(mixed.encode(text).length).toBeLessThan(english.encode(text).length);
    expect(mixed.decode(mixed.encode(text))).toBe(text);
  });

  it('encodes exactly as the tokenizers library does with the same definition', async () => {
    const library = LibraryTokenizer.fromString(JSON.stringify(english.definition));
    const texts = [...ENGLISH, ...JAPANESE, ...UNSEEN, ...fc.sample(chatText, 300)];
    for (const text of texts) {
      const normalized = english.normalize(text);
      const expected = await library.encode(normalized, null, { addSpecialTokens: false });
      expect([text, english.encode(text)]).toEqual([text, expected.getIds()]);
    }
  });

  it('pre-tokenizes exactly as the library pre-tokenizer does', () => {
    const library = LibraryTokenizer.fromString(JSON.stringify(english.definition)).getPreTokenizer()!;
    fc.assert(
      fc.property(chatText, (raw) => {
        const text = english.normalize(raw);
        expect(preTokenizeToByteLevel(text)).toEqual(library.preTokenizeString(text).map(([piece]) => piece));
      }),
    );
  });

  it('uses the same 256 byte characters as the library', () => {
    expect(new Set(BYTE_TO_CHAR)).toEqual(new Set(byteLevelAlphabet()));
  });

  it('streams whole characters only, and ends equal to the full decode', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, chatText), (text) => {
        const ids = english.encode(text);
        const stream = english.createStreamDecoder();
        const full = english.decode(ids);
        // U+FFFD may show only where the text itself has one (e.g. from a lone surrogate).
        const broken = (shown: string) => !full.startsWith(shown) || (shown.includes('\ufffd') && !full.includes('\ufffd'));
        // Checked without expect() per id: jest's matchers cost more than the decoding being tested.
        expect(ids.map((id) => stream.push(id).text).filter(broken)).toEqual([]);
        expect(stream.finish().text).toBe(full);
      }),
    );
  });

  it('holds back a split character until its last byte arrives', () => {
    const ids = english.encode('日'); // 3 bytes, not merged by an English-only BPE
    expect(ids).toHaveLength(3);
    const stream = english.createStreamDecoder();
    expect([stream.push(ids[0]!).delta, stream.push(ids[1]!).delta, stream.push(ids[2]!).delta]).toEqual(['', '', '日']);
  });

  it('shows invalid bytes from a model as U+FFFD, in the stream as in the full decode', () => {
    const [lead] = english.encode('日');
    const ids = [lead!, ...english.encode('ok'), EOS_ID, lead!];
    const stream = english.createStreamDecoder();
    ids.forEach((id) => stream.push(id));
    expect(stream.text).toBe('\ufffdok');
    expect(stream.finish().text).toBe(english.decode(ids));
    expect(english.decode(ids)).toBe('\ufffdok\ufffd');
  });
});
