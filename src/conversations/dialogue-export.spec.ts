import type { ExportedConversation } from './conversation.types';
import { toDialogue } from './dialogue-export';

type T = ExportedConversation['turns'][number];
const user = (text: string): T => ({ speaker: 'user', text, finishReason: null, feedback: null });
const bot = (text: string, extra: Partial<T> = {}): T => ({ speaker: 'bot', text, finishReason: 'complete', feedback: null, ...extra });
const dialogue = (...turns: T[]) => ({ id: 'c', turns });

describe(toDialogue.name, () => {
  test.each([
    ['keeps a finished exchange', dialogue(user('hi'), bot('hello'), user('bye')), undefined, ['hi', 'hello', 'bye']],
    ['stops before a cancelled reply', dialogue(user('a'), bot('b'), user('c'), bot('d', { finishReason: 'cancelled' })), undefined, ['a', 'b', 'c']],
    ['stops before a reply still streaming', dialogue(user('a'), bot('b'), user('c'), bot('', { finishReason: null })), undefined, ['a', 'b', 'c']],
    ['keeps a reply cut at the length limit', dialogue(user('a'), bot('b', { finishReason: 'length' })), undefined, ['a', 'b']],
    ['stops before a reply rated below minRating', dialogue(user('a'), bot('b'), user('c'), bot('d', { feedback: { rating: -1, preferred: null } })), 1, ['a', 'b', 'c']],
    ['ignores ratings without minRating', dialogue(user('a'), bot('b', { feedback: { rating: -1, preferred: null } })), undefined, ['a', 'b']],
    ['lets unrated replies pass minRating', dialogue(user('a'), bot('b')), 1, ['a', 'b']],
    ['keeps the preferred reply of a compare pair', dialogue(user('a'), bot('x'), bot('y', { feedback: { rating: 1, preferred: true } })), undefined, ['a', 'y']],
    ['keeps the first finished reply of an unjudged pair', dialogue(user('a'), bot('x', { finishReason: 'failed' }), bot('y')), undefined, ['a', 'y']],
  ])('%s', (_, conversation, minRating, expected) => {
    expect(toDialogue(conversation, minRating)).toEqual(expected);
  });

  it('drops a dialogue with fewer than two utterances', () => {
    expect(toDialogue(dialogue(user('a'), bot('b', { finishReason: 'failed' })))).toBeNull();
  });
});
