/**
 * Issue 22's chat findings, each pinned by a test that failed before its fix: canonical conversation ids, message
 * length in one unit, inactive versions closed to anonymous clients, resume by pages of history, the context a
 * model reads bounded by its maxTurns, and a cap on turns per conversation.
 */
import path from 'node:path';
import type { ChatOptions } from '../../src/chat/chat.options';
import { CHAT_OPTIONS } from '../../src/chat/chat.options';
import { ConversationsService } from '../../src/conversations/conversations.service';
import { type ConversationHistory, GenerationService } from '../../src/generation';
import { ModelVersionsService } from '../../src/model-versions/model-versions.service';
import { call, callOk, type ChatSocket, type ChatTestApp, connect, recordReplies, startChatApp, writeTinyModel } from './chat-test-app';

type Started = { conversationId: string; resumeToken: string; models: { versionId: string }[] };
type Page = { turns: { index: number; speaker: string; text: string }[]; nextBefore?: number };
const LONG = { strategy: 'greedy', maxTokens: 200, ignoreEos: true };
const SHORT = { strategy: 'greedy', maxTokens: 4 };

let chat: ChatTestApp;
const sockets: ChatSocket[] = [];
async function client(): Promise<ChatSocket> {
  const socket = await connect(chat.url);
  sockets.push(socket);
  return socket;
}
/** Runs `body` with some chat options changed (the app's CHAT_OPTIONS object, as config would have set them). */
async function withOptions<T>(changes: Partial<ChatOptions>, body: () => Promise<T>): Promise<T> {
  const options = chat.app.get<ChatOptions>(CHAT_OPTIONS);
  const saved = { ...options };
  Object.assign(options, changes);
  try {
    return await body();
  } finally {
    Object.assign(options, saved);
  }
}
/** Stores `count` alternating user and bot turns directly (a long conversation without generating it). */
async function storeTurns(conversationId: string, count: number, versionId: string): Promise<void> {
  const conversations = chat.app.get(ConversationsService);
  for (let i = 0; i < count; i++) {
    const bot = i % 2 === 1;
    await conversations.appendTurn(
      conversationId,
      bot ? { speaker: 'bot', text: `reply ${i}`, replyId: `r-${conversationId}-${i}`, modelVersionId: versionId, finishReason: 'complete' } : { speaker: 'user', text: `message ${i}` },
    );
  }
}

beforeAll(async () => {
  chat = await startChatApp();
});
afterEach(() => sockets.splice(0).forEach((s) => s.disconnect()));
afterAll(async () => {
  await chat?.close();
});

describe('conversation ids are canonical (lower-case) at the border', () => {
  // Before: the upper-case id resumed into a room of its own and passed the one-reply-at-a-time check, so two
  // replies of one conversation ran at once.
  test('an upper-case id is the same conversation: same room, same one-reply-at-a-time rule', async () => {
    const owner = await client();
    const ownerReplies = recordReplies(owner);
    const started = await callOk<Started>(owner, 'conversation:start', { decoding: LONG });
    const upper = started.conversationId.toUpperCase();
    const other = await client();
    const otherReplies = recordReplies(other);
    const resumed = await callOk<{ conversation: { id: string } }>(other, 'conversation:resume', { conversationId: upper, resumeToken: started.resumeToken });
    expect(resumed.conversation.id).toBe(started.conversationId);

    await callOk(owner, 'message:send', { conversationId: started.conversationId, text: 'hello there !' });
    expect(await call(other, 'message:send', { conversationId: upper, text: 'me too !' })).toMatchObject({ ok: false, error: { code: 'reply_in_progress' } });
    // The resumed socket is in the conversation's room: it sees the reply, and can cancel it by an upper-case id.
    await otherReplies.until(() => otherReplies.replies.size === 1, 'the reply on the resumed socket');
    const [replyId] = otherReplies.replies.keys();
    expect(await call(other, 'reply:cancel', { conversationId: upper, replyId: replyId.toUpperCase() })).toEqual({ ok: true });
    await ownerReplies.ended(1);
    const stored = await chat.db.prisma.turn.findMany({ where: { conversationId: started.conversationId } });
    expect(stored).toHaveLength(2);
  });
});

describe('message length is counted in UTF-16 code units (as the HTML maxlength attribute)', () => {
  // Before: zod counted code points, so 501 emoji (1,002 units) passed a limit of 1,000.
  test('501 emoji are 1,002 units: text_too_long; 500 are 1,000: accepted', async () => {
    const socket = await client();
    const replies = recordReplies(socket);
    const { conversationId } = await callOk<Started>(socket, 'conversation:start', { decoding: SHORT });
    expect(await call(socket, 'message:send', { conversationId, text: '😀'.repeat(501) })).toEqual({
      ok: false,
      error: { code: 'text_too_long', message: 'text: is longer than 1000 UTF-16 code units', meta: { field: 'text', max: 1000 } },
    });
    expect(await call(socket, 'message:send', { conversationId, text: '😀'.repeat(500) })).toMatchObject({ ok: true, turnIndex: 0 });
    await replies.ended(1);
  });
});

describe('anonymous clients and inactive model versions (CHAT_INACTIVE_VERSIONS)', () => {
  test('off by default: an inactive version id is model_not_found; on: it answers', async () => {
    const versions = chat.app.get(ModelVersionsService);
    const dir = await writeTinyModel(path.join(chat.modelsDir, 'hred-unreleased'), 'hred', 9);
    const inactive = await versions.register(dir, { kind: 'hred', name: 'hred-unreleased' });
    const socket = await client();
    for (const payload of [{ model: inactive.id }, { model: inactive.id.toUpperCase() }, { compare: ['vhred', inactive.id] }]) {
      expect(await call(socket, 'conversation:start', payload)).toMatchObject({ ok: false, error: { code: 'model_not_found', meta: { id: inactive.id } } });
    }
    // The active version may be pinned by id.
    const activeId = versions.activeVersionId('hred')!;
    expect(await call(socket, 'conversation:start', { model: activeId })).toMatchObject({ ok: true, models: [{ versionId: activeId }] });
    await withOptions({ inactiveVersions: true }, async () => {
      expect(await call(socket, 'conversation:start', { model: inactive.id })).toMatchObject({ ok: true, models: [{ versionId: inactive.id }] });
    });
  });
});

describe('long conversations', () => {
  let started: Started;
  let socket: ChatSocket;
  const STORED = 120;

  beforeAll(async () => {
    const owner = await connect(chat.url);
    started = await callOk<Started>(owner, 'conversation:start', { decoding: SHORT });
    owner.disconnect();
    await storeTurns(started.conversationId, STORED, started.models[0].versionId);
  });
  beforeEach(async () => {
    socket = await client();
  });

  // Before: the resume ack carried every turn (663 KB after 3,500 turns).
  test('resume returns the latest page of history; conversation:history pages back to the start', async () => {
    const resumed = await callOk<{ conversation: Page }>(socket, 'conversation:resume', { conversationId: started.conversationId, resumeToken: started.resumeToken });
    expect(resumed.conversation.turns.map((t) => t.index)).toEqual(Array.from({ length: 50 }, (_, i) => STORED - 50 + i));
    expect(resumed.conversation.nextBefore).toBe(STORED - 50);

    const page = await callOk<Page>(socket, 'conversation:history', { conversationId: started.conversationId.toUpperCase(), before: STORED - 50, limit: 40 });
    expect(page.turns.map((t) => t.index)).toEqual(Array.from({ length: 40 }, (_, i) => STORED - 90 + i));
    expect(page.turns[0]).toEqual({ index: STORED - 90, speaker: 'user', text: `message ${STORED - 90}` });
    const first = await callOk<Page>(socket, 'conversation:history', { conversationId: started.conversationId, before: page.nextBefore });
    expect(first.turns.map((t) => t.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(first.nextBefore).toBeUndefined();
  });

  test('conversation:history needs a resumed connection and a sane limit', async () => {
    const query = { conversationId: started.conversationId };
    expect(await call(socket, 'conversation:history', query)).toMatchObject({ ok: false, error: { code: 'not_authorized' } });
    await callOk(socket, 'conversation:resume', { ...query, resumeToken: started.resumeToken });
    expect(await call(socket, 'conversation:history', { ...query, limit: 201 })).toMatchObject({ ok: false, error: { code: 'invalid_payload', meta: { field: 'limit' } } });
    expect(await call(socket, 'conversation:history', { ...query, before: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_payload', meta: { field: 'before' } } });
  });

  // Before: every stored turn was read and handed to the model at every message.
  test("a reply reads only the model's last maxTurns utterances", async () => {
    const generation = chat.app.get(GenerationService);
    const reply = jest.spyOn(generation, 'reply');
    try {
      await callOk(socket, 'conversation:resume', { conversationId: started.conversationId, resumeToken: started.resumeToken });
      const replies = recordReplies(socket);
      await callOk(socket, 'message:send', { conversationId: started.conversationId, text: 'still here ?' });
      await replies.ended(1);
      const maxTurns = 10; // the tiny models' (model-config default)
      const history = reply.mock.calls[0][1] as ConversationHistory;
      expect(history.turns.length).toBeLessThanOrEqual(maxTurns * 2);
      expect(history.truncated).toBe(true);
      expect(history.turns.at(-1)).toBe('still here ?');
      const state = await generation.stateFor(started.models[0].versionId, history);
      expect(state.turns).toBe(maxTurns);
    } finally {
      reply.mockRestore();
    }
  });

  test('MAX_CONVERSATION_TURNS: a message past the cap is refused with conversation_full', async () => {
    const { conversationId } = await callOk<Started>(socket, 'conversation:start', { decoding: SHORT });
    const replies = recordReplies(socket);
    await withOptions({ maxConversationTurns: 3 }, async () => {
      await callOk(socket, 'message:send', { conversationId, text: 'one' }); // turns 0 and 1
      await replies.ended(1);
      await callOk(socket, 'message:send', { conversationId, text: 'two' }); // turns 2 and 3
      await replies.ended(2);
      expect(await call(socket, 'message:send', { conversationId, text: 'three' })).toEqual({
        ok: false,
        error: {
          code: 'conversation_full',
          message: 'this conversation has reached the limit of 3 turns: start a new conversation',
          meta: { conversationId, maxTurns: 3 },
        },
      });
    });
    expect(await chat.db.prisma.turn.count({ where: { conversationId } })).toBe(4);
  });
});
