import fc from 'fast-check';
import { buildWordTokenizer } from './build-word-tokenizer';
import { EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID } from './tokenizer';
import { WordTokenizer } from './word-tokenizer';

/** Written the way the detokenizer writes them, so decode(encode(s)) must give s back. */
const CANONICAL = [
  "i don't know.",
  "it's 3.5 miles, isn't it?",
  'he said "hello there" to me.',
  "we'll meet at 10:30 o'clock (maybe).",
  'a well-known e-mail costs $5,000!',
  '今日は涼しいですね。そうですね!',
  'great 👍🏽 see you 😀',
];

describe(WordTokenizer.name, () => {
  let sut: WordTokenizer;
  beforeAll(async () => {
    sut = await buildWordTokenizer(CANONICAL, { maxSize: 1000, minCount: 1 });
  });

  it('lower-cases and normalises as the benchmark does', () => {
    expect(sut.normalize('  I  Don’t\u3000KNOW ')).toBe('i don’t know');
  });

  test.each(CANONICAL)('round-trips %j', (text) => {
    expect(sut.decode(sut.encode(text))).toBe(text);
  });

  it('reads "i don \' t know ." as "i don\'t know."', () => {
    expect(sut.decode(sut.encode("I don ' t know ."))).toBe("i don't know.");
  });

  it('maps words outside the vocabulary to <unk>, and decode drops specials', () => {
    const ids = sut.encode("i don't zyzzyva.");
    expect(ids).toContain(UNK_ID);
    expect(sut.decode([PAD_ID, ...ids, EOS_ID, PAD_ID])).toBe("i don't.");
  });

  it('gives the surface form of an id, specials included', () => {
    expect(sut.idToToken(UNK_ID)).toBe('<unk>');
    expect(sut.idToToken(sut.encode('know')[0]!)).toBe('know');
    expect(() => sut.idToToken(sut.vocabSize)).toThrow(RangeError);
  });

  it('streams text equal to the full decode at every prefix', () => {
    // Sentences drawn from the whole vocabulary, punctuation, quotes and CJK included, plus specials.
    const anyId = fc.integer({ min: 0, max: sut.vocabSize - 1 });
    fc.assert(
      fc.property(fc.array(anyId, { maxLength: 40 }), (ids) => {
        const stream = sut.createStreamDecoder();
        const steps = ids.map((id, i) => {
          const before = stream.text;
          const { text, delta } = stream.push(id);
          return { text, appended: before + delta, decoded: sut.decode(ids.slice(0, i + 1)) };
        });
        expect(steps.filter(({ text, appended, decoded }) => text !== decoded || text !== appended)).toEqual([]);
        expect(stream.finish().text).toBe(sut.decode(ids));
      }),
      { numRuns: 500 },
    );
  });

  it('never doubles spaces or leads with one', () => {
    const anyId = fc.integer({ min: SPECIAL_TOKENS.length, max: sut.vocabSize - 1 });
    fc.assert(
      fc.property(fc.array(anyId, { maxLength: 30 }), (ids) => {
        const text = sut.decode(ids);
        expect(text).not.toMatch(/ {2}|^ | $/);
      }),
    );
  });
});
