import type { ConversationsService } from '../conversations/conversations.service';
import type { NewTurn } from '../conversations/conversation.types';
import { type Exchange, ExchangeRecorder, type ExchangeTurn } from './exchange-recorder';

/** Conversations in memory: the only part of ConversationsService the recorder uses. */
function fakeConversations() {
  const stored = new Map<string, NewTurn[]>();
  const fake = {
    start: async () => {
      const id = `c${stored.size + 1}`;
      stored.set(id, []);
      return { id, resumeToken: 'unused' };
    },
    appendTurn: async (id: string, turn: NewTurn) => {
      stored.get(id)!.push(turn);
      return { turn: {}, created: true };
    },
  };
  return { stored, service: fake as unknown as ConversationsService };
}

const user = (text: string): ExchangeTurn => ({ speaker: 'user', text });
const bot = (text: string): ExchangeTurn => ({ speaker: 'bot', text });
const exchange = (turns: ExchangeTurn[], replies: string[]): Exchange => ({
  modelRef: 'hred',
  versionId: 'v1',
  decoding: {},
  turns,
  replies: replies.map((text, i) => ({ replyId: `r${turns.length}-${i}`, text, finishReason: 'stop', tokens: 3, decoding: { seed: i }, totalMs: 5 })),
});
const texts = (turns: NewTurn[] | undefined) => turns?.map((t) => `${t.speaker}:${t.text}`);

describe(ExchangeRecorder.name, () => {
  test('a conversation resent with one of its replies and a new turn grows the stored one', async () => {
    const { stored, service } = fakeConversations();
    const sut = new ExchangeRecorder(service);
    const id = await sut.record(exchange([user('hi')], ['hello', 'hey'])); // n = 2: a group of two bot turns
    expect(texts(stored.get(id))).toEqual(['user:hi', 'bot:hello', 'bot:hey']);
    expect(await sut.record(exchange([user('hi'), bot('hey'), user('how are you ?')], ['fine']))).toBe(id); // the client kept choice 1
    expect(texts(stored.get(id))).toEqual(['user:hi', 'bot:hello', 'bot:hey', 'user:how are you ?', 'bot:fine']);
    expect(stored.get(id)![4]).toMatchObject({ replyId: 'r3-0', modelVersionId: 'v1', finishReason: 'complete', tokenCount: 3, decoding: { seed: 0 } });
  });

  test('a history the client changed, or a second branch of the same exchange, starts a conversation of its own', async () => {
    const { stored, service } = fakeConversations();
    const sut = new ExchangeRecorder(service);
    const first = await sut.record(exchange([user('hi')], ['hello']));
    const edited = await sut.record(exchange([user('hi'), bot('hello there'), user('bye')], ['bye']));
    expect(edited).not.toBe(first);
    expect(texts(stored.get(edited))).toEqual(['user:hi', 'bot:hello there', 'user:bye', 'bot:bye']);
    expect(stored.get(edited)![1]).toMatchObject({ finishReason: 'complete' }); // a reply the client sent is whole
    expect(await sut.record(exchange([user('hi'), bot('hello'), user('a')], ['x']))).toBe(first);
    expect(await sut.record(exchange([user('hi'), bot('hello'), user('b')], ['y']))).not.toBe(first); // taken by the branch above
  });
});
