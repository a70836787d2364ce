import { detokenize } from './word-detokenizer';

const join = (spaced: string) => detokenize(spaced.split(' '));

describe(detokenize.name, () => {
  test.each([
    ["i don ' t know .", "i don't know."],
    ['i don ’ t know , really !', 'i don’t know, really!'],
    ["it ' s 3 . 5 miles , isn ' t it ?", "it's 3.5 miles, isn't it?"],
    ["we ' ll meet at 10 : 30 o ' clock .", "we'll meet at 10:30 o'clock."],
    ["i ' m fine ; you ' re late . . .", "i'm fine; you're late..."],
    ["james ' car", "james' car"],
    ['he said " hello there " to me .', 'he said "hello there" to me.'],
    ['( yes ) it costs $ 5 , 000 .', '(yes) it costs $5,000.'],
    ['a well - known e - mail', 'a well-known e-mail'],
    ['今日は涼しいですね 。 そうですね !', '今日は涼しいですね。そうですね!'],
    ['ok 👍 🏽', 'ok 👍🏽'],
  ])('%j -> %j', (spaced, text) => {
    expect(join(spaced.trim())).toBe(text);
  });
});
