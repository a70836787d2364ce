import { ContextTurn, replyContext } from './reply-context';

const user = (text: string): ContextTurn => ({ speaker: 'user', text });
const bot = (text: string): ContextTurn => ({ speaker: 'bot', text });

describe(replyContext.name, () => {
  test.each([
    ['alternating turns as stored', [user('hi'), bot('hello'), user('bye')], 0, ['hi', 'hello', 'bye']],
    ['compare column 0 continues from its own replies', [user('a'), bot('x0'), bot('y0'), user('b')], 0, ['a', 'x0', 'b']],
    ['compare column 1 continues from its own replies', [user('a'), bot('x0'), bot('y0'), user('b')], 1, ['a', 'y0', 'b']],
    ['an empty own reply falls back to the first non-empty one', [user('a'), bot('x0'), bot(''), user('b')], 1, ['a', 'x0', 'b']],
    // A reply row is stored empty when it starts; a crash leaves it so. It must not become an empty utterance.
    ['a reply that produced nothing is left out', [user('a'), bot(''), user('b')], 0, ['a', 'b']],
    ['a single model reads the first reply of an old compare group', [user('a'), bot('x0'), bot('y0'), user('b')], 0, ['a', 'x0', 'b']],
  ])('%s', (_, turns, slot, expected) => {
    expect(replyContext(turns, slot)).toEqual(expected);
  });
});
