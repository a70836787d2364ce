/**
 * Issue 19: a message re-read its conversation from the database (the conversation row and its latest turns, three
 * queries) before storing itself and, in a second transaction, its reply's row. Now the conversation's settings and
 * window stay in memory between messages: one write before the first token, however long the conversation.
 */
import { ConversationsService } from '../../src/conversations/conversations.service';
import { type ConversationHistory, GenerationService } from '../../src/generation';
import { callOk, type ChatSocket, type ChatTestApp, connect, recordReplies, startChatApp } from './chat-test-app';

const SHORT = { strategy: 'greedy', maxTokens: 3 };
let chat: ChatTestApp;
let socket: ChatSocket;

beforeAll(async () => {
  chat = await startChatApp({ rateLimit: { burst: 100, perSecond: 100 } });
});
beforeEach(async () => {
  socket = await connect(chat.url);
});
afterEach(() => socket.disconnect());
afterAll(async () => {
  await chat?.close();
});

/** The SQL statements the server runs while `body` does, by their first word. */
async function statements(body: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const stop = chat.db.prisma.onQuery((event) => seen.push(event.query.trim().split(/\s+/)[0].toUpperCase()));
  try {
    await body();
  } finally {
    stop();
  }
  return seen;
}

test('a message of a conversation in memory reads nothing: its turn and its reply row are one write, its end one update', async () => {
  const { conversationId } = await callOk<{ conversationId: string }>(socket, 'conversation:start', { decoding: SHORT });
  const replies = recordReplies(socket);
  await callOk(socket, 'message:send', { conversationId, text: 'hello' });
  await replies.ended(1);
  for (let turn = 1; turn <= 12; turn++) {
    // on past the window (maxTurns 10: 20 turns kept): the cost stays the same
    const ran = await statements(async () => {
      await callOk(socket, 'message:send', { conversationId, text: `message ${turn}` });
      await replies.ended(turn + 1);
    });
    expect(ran.filter((sql) => sql === 'SELECT')).toEqual([]);
    expect(ran.filter((sql) => sql === 'INSERT')).toHaveLength(1); // the user turn and the reply row, together
    expect(ran.filter((sql) => sql === 'UPDATE')).toHaveLength(2); // the conversation's updatedAt, the reply's end
  }
  const stored = await chat.db.prisma.turn.findMany({ where: { conversationId }, orderBy: { index: 'asc' } });
  expect(stored.map((t) => t.speaker)).toEqual(Array.from({ length: 13 }, () => ['user', 'bot']).flat());
  expect(stored.every((t) => t.speaker === 'user' || t.finishReason !== null)).toBe(true);
});

test('turns another instance stored meanwhile are read, and the reply reads them', async () => {
  const { conversationId } = await callOk<{ conversationId: string }>(socket, 'conversation:start', { decoding: SHORT });
  const replies = recordReplies(socket);
  await callOk(socket, 'message:send', { conversationId, text: 'first' });
  await replies.ended(1);
  // as the client's other tab, on another instance, would have stored them
  const conversations = chat.app.get(ConversationsService);
  await conversations.appendTurn(conversationId, { speaker: 'user', text: 'from elsewhere' });
  await conversations.appendTurn(conversationId, { speaker: 'bot', text: 'answered elsewhere', finishReason: 'complete' });
  const reply = jest.spyOn(chat.app.get(GenerationService), 'reply');
  try {
    const ack = await callOk<{ turnIndex: number }>(socket, 'message:send', { conversationId, text: 'back here' });
    expect(ack.turnIndex).toBe(4);
    await replies.ended(2);
    const history = reply.mock.calls[0][1] as ConversationHistory;
    expect(history.turns.slice(-3)).toEqual(['from elsewhere', 'answered elsewhere', 'back here']);
  } finally {
    reply.mockRestore();
  }
});
