import type { ExportedConversation, TrainingTargets } from './conversation.types';
import { toTrainingDialogue } from './dialogue-export';

type T = ExportedConversation['turns'][number];
const user = (text: string): T => ({ speaker: 'user', text, finishReason: null, feedback: null });
const bot = (text: string, extra: Partial<T> = {}): T => ({ speaker: 'bot', text, finishReason: 'complete', feedback: null, ...extra });
const good = { feedback: { rating: 1, preferred: null } };
const bad = { feedback: { rating: -1, preferred: null } };
const dialogue = (...turns: T[]) => ({ id: 'c', turns });
const DEFAULT: TrainingTargets = { userTurns: true, botTurns: 'good' };
/** The dialogue as "text*" for a target, "text" for context only. */
const marked = (conversation: ExportedConversation, targets = DEFAULT, minRating?: number) => {
  const d = toTrainingDialogue(conversation, targets, minRating);
  return d && d.turns.map((text, i) => (d.targets[i] ? `${text}*` : text));
};

describe(toTrainingDialogue.name, () => {
  test.each([
    ['learns the user turns, reads unrated bot replies as context only', dialogue(user('hi'), bot('hello'), user('how are you ?'), bot('fine')), ['hi', 'hello', 'how are you ?*']],
    ['reads a reply rated bad as context only', dialogue(user('a'), bot('b', bad), user('c')), ['a', 'b', 'c*']],
    ['learns a reply rated good', dialogue(user('a'), bot('b', good), user('c'), bot('d')), ['a', 'b*', 'c*']],
    ['learns the preferred reply of a compare pair, the one in the dialogue', dialogue(user('a'), bot('x'), bot('y', { feedback: { rating: 1, preferred: true } })), ['a', 'y*']],
    ['keeps a compare pair\'s good reply over an unjudged first one', dialogue(user('a'), bot('x'), bot('y', good), user('z')), ['a', 'y*', 'z*']],
    ['keeps the first finished reply of an unjudged pair', dialogue(user('a'), bot('x', { finishReason: 'failed' }), bot('y'), user('z')), ['a', 'y', 'z*']],
    ['never learns the first turn', dialogue(user('a'), bot('b', good)), ['a', 'b*']],
    ['stops before a cancelled reply', dialogue(user('a'), bot('b'), user('c'), bot('d', { finishReason: 'cancelled' }), user('e')), ['a', 'b', 'c*']],
    ['stops before a reply still streaming', dialogue(user('a'), bot('b'), user('c'), bot('', { finishReason: null })), ['a', 'b', 'c*']],
    ['learns a good reply cut at the length limit', dialogue(user('a'), bot('b', { finishReason: 'length', ...good })), ['a', 'b*']],
    ['leaves out a finished reply with no text', dialogue(user('a'), bot(' '), user('c')), ['a', 'c*']],
  ])('%s', (_, conversation, expected) => {
    expect(marked(conversation)).toEqual(expected);
  });

  it('has nothing to learn from a conversation whose only reply is unrated', () => {
    expect(toTrainingDialogue(dialogue(user('hi'), bot('hello')), DEFAULT)).toBeNull();
  });

  test.each<[string, TrainingTargets, string[] | null]>([
    ['botTurns not-bad: every reply not rated bad', { userTurns: true, botTurns: 'not-bad' }, ['a', 'b*', 'c*', 'd', 'e*', 'f*']],
    ['botTurns none: no reply, even a good one', { userTurns: true, botTurns: 'none' }, ['a', 'b', 'c*', 'd', 'e*']],
    ['userTurns false: only the good reply', { userTurns: false, botTurns: 'good' }, ['a', 'b', 'c', 'd', 'e', 'f*']],
    ['nothing at all', { userTurns: false, botTurns: 'none' }, null],
  ])('settings — %s', (_, targets, expected) => {
    const conversation = dialogue(user('a'), bot('b'), user('c'), bot('d', bad), user('e'), bot('f', good));
    expect(marked(conversation, targets)).toEqual(expected);
  });

  it('with minRating, stops before a reply rated below it', () => {
    const conversation = dialogue(user('a'), bot('b', good), user('c'), bot('d', bad), user('e'));
    expect(marked(conversation, DEFAULT, 1)).toEqual(['a', 'b*', 'c*']);
    expect(marked(conversation, DEFAULT)).toEqual(['a', 'b*', 'c*', 'd', 'e*']);
  });
});
