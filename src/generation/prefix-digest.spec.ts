import { prefixDigests } from './prefix-digest';

describe(prefixDigests.name, () => {
  test('a prefix has the same digest however the conversation goes on', () => {
    const short = prefixDigests(['hello', 'hi , how are you ?']);
    const long = prefixDigests(['hello', 'hi , how are you ?', 'fine .']);
    expect(long.slice(0, 2)).toEqual(short);
    expect(new Set(long).size).toBe(3);
  });

  test('turn boundaries and order count', () => {
    expect(prefixDigests(['ab', 'c'])[1]).not.toBe(prefixDigests(['a', 'bc'])[1]);
    expect(prefixDigests(['a', 'b'])[1]).not.toBe(prefixDigests(['b', 'a'])[1]);
    expect(prefixDigests(['', 'a'])[1]).not.toBe(prefixDigests(['a'])[0]);
  });

  test('no turns, no digests', () => {
    expect(prefixDigests([])).toEqual([]);
  });
});
