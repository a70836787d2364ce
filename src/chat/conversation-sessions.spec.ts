import { advance, type ConversationSession, truncated, type WindowTurn, windowOf } from './conversation-sessions';

const user = (index: number): WindowTurn => ({ index, speaker: 'user', text: `u${index}` });
const bot = (index: number): WindowTurn => ({ index, speaker: 'bot', text: `b${index}` });

describe(windowOf.name, () => {
  test.each([
    ['a conversation shorter than the window, whole', [user(0), bot(1), user(2)], 5, [0, 1, 2]],
    ['the latest turns of a longer one', [user(0), bot(1), user(2), bot(3), user(4)], 3, [2, 3, 4]],
    // A compare group's second reply opening the window would read as a group of its own.
    ['never starting inside a compare group', [user(0), bot(1), bot(2), user(3), bot(4), bot(5), user(6)], 5, [3, 4, 5, 6]],
    ['the start of the conversation may be a bot turn (as stored)', [bot(0), user(1)], 5, [0, 1]],
  ])('%s', (_, turns, size, indexes) => {
    expect(windowOf(turns, size).map((t) => t.index)).toEqual(indexes);
  });
});

describe(advance.name, () => {
  test('appends the stored turns, keeps the window size and the next index', () => {
    const session: ConversationSession = { settings: { models: ['hred'], decoding: {} }, turns: [user(0), bot(1)], size: 3, nextIndex: 2 };
    advance(session, [user(2), bot(3)]);
    expect(session.turns.map((t) => t.index)).toEqual([2, 3]); // [1, 2, 3] would start with a bot turn
    expect(session.nextIndex).toBe(4);
    expect(truncated(session.turns)).toBe(true);
  });
});
