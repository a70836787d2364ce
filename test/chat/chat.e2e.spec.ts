import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { GenerationService, lastEvent } from '../../src/generation';
import { ModelVersionsService } from '../../src/model-versions/model-versions.service';
import { call, callOk, type ChatSocket, type ChatTestApp, connect, recordReplies, startChatApp, writeTinyModel } from './chat-test-app';

type Started = { conversationId: string; resumeToken: string; models: { versionId: string; kind: string; slot: number }[] };
/** Replies long enough to act on while they stream (random weights rarely say eos, ignoreEos makes sure). */
const LONG = { strategy: 'greedy', maxTokens: 200, ignoreEos: true };
const SHORT = { strategy: 'greedy', maxTokens: 6 };

let chat: ChatTestApp;
const sockets: ChatSocket[] = [];
async function client(): Promise<ChatSocket> {
  const socket = await connect(chat.url);
  sockets.push(socket);
  return socket;
}
const turnsOf = (conversationId: string) => chat.db.prisma.turn.findMany({ where: { conversationId }, orderBy: { index: 'asc' } });

beforeAll(async () => {
  chat = await startChatApp();
});
afterEach(() => sockets.splice(0).forEach((s) => s.disconnect()));
afterAll(async () => {
  await chat?.close();
});

describe('chat over socket.io /chat', () => {
  test('start → send → tokens in order → reply:end → the turn pair is stored → resume after reconnect', async () => {
    const socket = await client();
    const recorder = recordReplies(socket);
    const started = await callOk<Started>(socket, 'conversation:start', { decoding: SHORT });
    expect(started.models).toEqual([expect.objectContaining({ kind: 'hred', ref: 'hred', slot: 0 })]);
    expect(await callOk(socket, 'message:send', { conversationId: started.conversationId, text: 'hello there !' })).toEqual({ ok: true, turnIndex: 0 });

    const [reply] = await recorder.ended(1);
    expect(reply.tokens.map((t) => t.index)).toEqual(reply.tokens.map((_, i) => i));
    expect(reply.end).toMatchObject({ tokens: reply.tokens.length, text: reply.tokens.at(-1)?.text ?? '' });
    expect(['eos', 'length']).toContain(reply.end!.finishReason);
    expect(reply.end!.totalMs).toBeGreaterThanOrEqual(reply.end!.firstTokenMs ?? 0);

    const stored = await turnsOf(started.conversationId);
    expect(stored).toMatchObject([
      { index: 0, speaker: 'user', text: 'hello there !', finishReason: null },
      { index: 1, speaker: 'bot', text: reply.end!.text, replyId: reply.start.replyId, modelVersionId: started.models[0].versionId },
    ]);
    expect(stored[1].finishReason).toBe(reply.end!.finishReason === 'eos' ? 'complete' : 'length');
    expect(stored[1].decoding).toMatchObject({ strategy: 'greedy', maxTokens: 6, seed: expect.any(Number) });
    expect(stored[1]).toMatchObject({ tokenCount: reply.end!.tokens, totalMs: reply.end!.totalMs });

    socket.disconnect();
    const again = await client();
    const resumed = await callOk<{ conversation: { turns: unknown[] } }>(again, 'conversation:resume', {
      conversationId: started.conversationId,
      resumeToken: started.resumeToken,
    });
    expect(resumed.conversation.turns).toEqual([
      { index: 0, speaker: 'user', text: 'hello there !' },
      expect.objectContaining({ index: 1, speaker: 'bot', text: reply.end!.text, replyId: reply.start.replyId, finishReason: reply.end!.finishReason }),
    ]);
    // the resumed socket may write: its next reply continues the stored context
    const recorder2 = recordReplies(again);
    expect(await callOk(again, 'message:send', { conversationId: started.conversationId, text: 'fine thanks' })).toMatchObject({ turnIndex: 2 });
    await recorder2.ended(1);
  });

  test('a conversation opts out of retraining at its start or later, and back in; the resume ack tells', async () => {
    const socket = await client();
    const allowTraining = async (id: string) => (await chat.db.prisma.conversation.findUniqueOrThrow({ where: { id } })).allowTraining;
    const byDefault = await callOk<Started & { training: boolean }>(socket, 'conversation:start', { decoding: SHORT });
    expect(byDefault.training).toBe(true);
    expect(await allowTraining(byDefault.conversationId)).toBe(true);

    const optedOut = await callOk<Started & { training: boolean }>(socket, 'conversation:start', { decoding: SHORT, training: false });
    expect(optedOut.training).toBe(false);
    expect(await allowTraining(optedOut.conversationId)).toBe(false);

    expect(await callOk(socket, 'conversation:training', { conversationId: byDefault.conversationId, training: false })).toEqual({ ok: true, training: false });
    expect(await allowTraining(byDefault.conversationId)).toBe(false);
    const again = await client();
    const resumed = await callOk<{ conversation: { training: boolean } }>(again, 'conversation:resume', { conversationId: byDefault.conversationId, resumeToken: byDefault.resumeToken });
    expect(resumed.conversation.training).toBe(false);
    expect(await callOk(again, 'conversation:training', { conversationId: byDefault.conversationId, training: true })).toEqual({ ok: true, training: true });
    expect(await allowTraining(byDefault.conversationId)).toBe(true);
  });

  test('reply:cancel stops a reply; what was generated is kept as cancelled', async () => {
    const socket = await client();
    const recorder = recordReplies(socket);
    const { conversationId } = await callOk<Started>(socket, 'conversation:start', { decoding: LONG });
    await callOk(socket, 'message:send', { conversationId, text: 'what time is it ?' });
    await recorder.until(() => [...recorder.replies.values()].some((r) => r.tokens.length >= 2), 'two tokens');
    const [replyId] = recorder.replies.keys();
    expect(await call(socket, 'reply:cancel', { conversationId, replyId })).toEqual({ ok: true });

    const [reply] = await recorder.ended(1);
    expect(reply.end).toMatchObject({ finishReason: 'cancelled', text: reply.tokens.at(-1)!.text, tokens: reply.tokens.length });
    expect(reply.tokens.length).toBeLessThan(200);
    const bot = (await turnsOf(conversationId))[1];
    expect(bot).toMatchObject({ finishReason: 'cancelled', text: reply.end!.text });
    expect(await call(socket, 'reply:cancel', { conversationId, replyId })).toMatchObject({ ok: false, error: { code: 'reply_not_found' } });
  });

  test('compare mode streams two replies to one user turn, both stored; feedback marks the preferred one', async () => {
    const socket = await client();
    const recorder = recordReplies(socket);
    const started = await callOk<Started>(socket, 'conversation:start', { compare: ['hred', 'vhred'], decoding: SHORT });
    expect(started.models.map((m) => [m.kind, m.slot])).toEqual([
      ['hred', 0],
      ['vhred', 1],
    ]);
    await callOk(socket, 'message:send', { conversationId: started.conversationId, text: 'do you like tea ?' });
    const replies = await recorder.ended(2);
    expect(replies.map((r) => r.start.model.kind).sort()).toEqual(['hred', 'vhred']);
    expect(replies.every((r) => r.start.turnIndex === 0)).toBe(true);

    const stored = await turnsOf(started.conversationId);
    expect(stored.map((t) => [t.speaker, t.modelVersionId])).toEqual([
      ['user', null],
      ['bot', started.models[0].versionId],
      ['bot', started.models[1].versionId],
    ]);
    const vhred = replies.find((r) => r.start.model.kind === 'vhred')!;
    expect(await call(socket, 'feedback', { conversationId: started.conversationId, replyId: vhred.start.replyId, rating: 1, preferred: true })).toEqual({ ok: true });
    const feedback = await chat.db.prisma.feedback.findMany({ where: { turn: { conversationId: started.conversationId } }, include: { turn: true } });
    expect(feedback).toMatchObject([{ rating: 1, preferred: true, turn: { replyId: vhred.start.replyId } }]);
  });

  test('a retried message:send with the same clientMessageId adds nothing, during or after the reply', async () => {
    const socket = await client();
    const recorder = recordReplies(socket);
    const { conversationId } = await callOk<Started>(socket, 'conversation:start', { decoding: { ...SHORT, maxTokens: 30, ignoreEos: true } });
    const message = { conversationId, text: 'hello', clientMessageId: 'm-1' };
    const [first, retried] = await Promise.all([call(socket, 'message:send', message), call(socket, 'message:send', message)]);
    expect(first).toEqual({ ok: true, turnIndex: 0 });
    expect(retried).toEqual({ ok: true, turnIndex: 0, duplicate: true });
    await recorder.ended(1);
    expect(await call(socket, 'message:send', message)).toEqual({ ok: true, turnIndex: 0, duplicate: true });
    await new Promise((r) => setTimeout(r, 100)); // a reply would start within this
    expect(recorder.replies.size).toBe(1);
    expect(await turnsOf(conversationId)).toHaveLength(2);
  });

  test('a kind follows the active version at every turn; a version id pins it', async () => {
    const versions = chat.app.get(ModelVersionsService);
    const socket = await client();
    const recorder = recordReplies(socket);
    const byKind = await callOk<Started>(socket, 'conversation:start', { model: 'hred', decoding: SHORT });
    const oldId = byKind.models[0].versionId;
    const pinned = await callOk<Started>(socket, 'conversation:start', { model: oldId, decoding: SHORT });
    const next = await versions.register(await writeTinyModel(path.join(chat.modelsDir, 'hred-next'), 'hred', 9), { kind: 'hred', name: 'hred-next' });
    await versions.activate(next.id);
    try {
      await callOk(socket, 'message:send', { conversationId: byKind.conversationId, text: 'hi' });
      await callOk(socket, 'message:send', { conversationId: pinned.conversationId, text: 'hi' });
      const replies = await recorder.ended(2);
      const modelOf = (id: string) => replies.find((r) => r.start.conversationId === id)!.start.model.versionId;
      expect(modelOf(byKind.conversationId)).toBe(next.id);
      expect(modelOf(pinned.conversationId)).toBe(oldId);
    } finally {
      await versions.activate(oldId);
    }
  });

  describe('bad input gets an error ack; the socket and other conversations carry on', () => {
    let other: ChatSocket;
    let otherReplies: ReturnType<typeof recordReplies>;
    let otherConversation: string;

    beforeAll(async () => {
      // Another client's reply streams through all the bad input below.
      other = await connect(chat.url);
      otherReplies = recordReplies(other);
      ({ conversationId: otherConversation } = await callOk<Started>(other, 'conversation:start', { decoding: { ...LONG, maxTokens: 150 } }));
      await callOk(other, 'message:send', { conversationId: otherConversation, text: 'where is the station ?' });
    });
    afterAll(async () => {
      const [reply] = await otherReplies.ended(1);
      expect(reply.end).toMatchObject({ finishReason: 'length', tokens: 150 });
      expect(otherReplies.all.every((e) => e.conversationId === otherConversation)).toBe(true);
      other.disconnect();
    });

    const uuid = randomUUID();
    // placeholders for ids known only when a case runs
    const own = 'OWN';
    const other_ = 'OTHER';
    test.each([
      ['conversation:start', 'an unknown model name', 'invalid_payload', { model: 'gpt' }],
      ['conversation:start', 'a wrong-typed decoding field', 'invalid_payload', { decoding: { temperature: 'hot' } }],
      ['conversation:start', 'compare with one model', 'invalid_payload', { compare: ['hred'] }],
      ['conversation:start', 'sample-and-rank candidates with beam search', 'invalid_payload', { decoding: { strategy: 'beam', candidates: 4 } }],
      ['conversation:start', 'an unknown model version', 'model_not_found', { model: uuid }],
      ['conversation:start', 'a kind with no active version', 'model_not_found', { model: 'seq2seq' }],
      ['conversation:resume', 'missing fields', 'invalid_payload', {}],
      ['conversation:resume', 'an unknown conversation', 'conversation_not_found', { conversationId: uuid, resumeToken: 'x' }],
      ['conversation:resume', 'a wrong token', 'invalid_token', { conversationId: own, resumeToken: 'wrong' }],
      ['message:send', 'no payload', 'invalid_payload', undefined],
      ['message:send', 'a string payload', 'invalid_payload', 'hello'],
      ['message:send', 'a number as text', 'invalid_payload', { conversationId: own, text: 42 }],
      ['message:send', 'an unknown field', 'invalid_payload', { conversationId: own, text: 'hi', extra: true }],
      ['message:send', 'blank text', 'text_empty', { conversationId: own, text: '   ' }],
      ['message:send', 'text over MAX_MESSAGE_CHARS', 'text_too_long', { conversationId: own, text: 'x'.repeat(1001) }],
      ['message:send', 'an unknown conversation', 'conversation_not_found', { conversationId: uuid, text: 'hi' }],
      ['message:send', "another client's conversation", 'not_authorized', { conversationId: other_, text: 'hi' }],
      ['conversation:training', 'a flag that is not a boolean', 'invalid_payload', { conversationId: own, training: 'no' }],
      ['conversation:training', "another client's conversation", 'not_authorized', { conversationId: other_, training: false }],
      ['conversation:training', 'an unknown conversation', 'conversation_not_found', { conversationId: uuid, training: false }],
      ['reply:cancel', 'an unknown reply', 'reply_not_found', { conversationId: own, replyId: 'nope' }],
      ['reply:cancel', "another client's conversation", 'not_authorized', { conversationId: other_, replyId: 'nope' }],
      ['feedback', 'an unknown reply', 'reply_not_found', { conversationId: own, replyId: 'nope', rating: 1 }],
      ['feedback', 'a rating of 2', 'invalid_payload', { conversationId: own, replyId: 'nope', rating: 2 }],
    ])('%s %s → %s', async (event, _label, code, payload) => {
      const socket = await client();
      const { conversationId } = await callOk<Started>(socket, 'conversation:start', { decoding: SHORT });
      const swap = (v: unknown) => (v === own ? conversationId : v === other_ ? otherConversation : v);
      const resolved = payload && typeof payload === 'object' ? Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, swap(v)])) : payload;
      const ack = await call(socket, event, resolved);
      expect(ack).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
      // still connected and served
      expect(socket.connected).toBe(true);
      expect(await call(socket, 'message:send', { conversationId, text: 'still here ?' })).toMatchObject({ ok: true, turnIndex: 0 });
    });

    test('a message while a reply streams is refused with reply_in_progress', async () => {
      const socket = await client();
      const recorder = recordReplies(socket);
      const { conversationId } = await callOk<Started>(socket, 'conversation:start', { decoding: LONG });
      await callOk(socket, 'message:send', { conversationId, text: 'one' });
      const refused = await call(socket, 'message:send', { conversationId, text: 'two' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'reply_in_progress', meta: { replyIds: [expect.any(String)] } } });
      await recorder.until(() => recorder.replies.size === 1, 'reply:start');
      await callOk(socket, 'reply:cancel', { conversationId, replyId: [...recorder.replies.keys()][0] });
      await recorder.ended(1);
      expect(await call(socket, 'message:send', { conversationId, text: 'two' })).toMatchObject({ ok: true, turnIndex: 2 });
    });

    test('events without an ack callback are handled and crash nothing', async () => {
      const socket = await client();
      const recorder = recordReplies(socket);
      const { conversationId } = await callOk<Started>(socket, 'conversation:start', { decoding: SHORT });
      const raw = socket as unknown as { emit(event: string, ...args: unknown[]): void };
      raw.emit('message:send', { conversationId, text: 'no ack' });
      raw.emit('message:send');
      raw.emit('feedback', { nonsense: true });
      raw.emit('no:such:event', 1, 2, 3);
      await recorder.ended(1); // the valid one was still answered
      expect(socket.connected).toBe(true);
      expect(await turnsOf(conversationId)).toHaveLength(2);
    });

    test('too many events per second from one socket are rate limited, and it recovers', async () => {
      const socket = await client();
      const acks = await Promise.all(Array.from({ length: 20 }, () => call(socket, 'conversation:resume', { conversationId: uuid, resumeToken: 'x' })));
      const limited = acks.filter((a) => !a.ok && a.error.code === 'rate_limited');
      expect(limited.length).toBeGreaterThanOrEqual(9);
      expect(limited[0]).toMatchObject({ error: { meta: { retryAfterMs: expect.any(Number) } } });
      await new Promise((r) => setTimeout(r, 400));
      expect(await call(socket, 'conversation:start', {})).toMatchObject({ ok: true });
    });
  });

  test('after a restart a resumed conversation keeps its context; a reply cut short by a crash never looks complete', async () => {
    const deterministic = { strategy: 'greedy', maxTokens: 6, latent: 'mean' } as const;
    const socket = await client();
    const recorder = recordReplies(socket);
    const started = await callOk<Started>(socket, 'conversation:start', { decoding: deterministic });
    const { conversationId } = started;
    await callOk(socket, 'message:send', { conversationId, text: 'hello there !' });
    const [first] = await recorder.ended(1);
    // What a crash leaves: the user turn and a reply row stored at its start, never completed.
    await chat.db.prisma.turn.createMany({
      data: [
        { conversationId, index: 2, speaker: 'user', text: 'are you there ?' },
        { conversationId, index: 3, speaker: 'bot', text: '', replyId: randomUUID(), modelVersionId: started.models[0].versionId },
      ],
    });

    const restarted = await startChatApp({}, chat.db, chat.modelsDir);
    try {
      const resumedSocket = await connect(restarted.url);
      sockets.push(resumedSocket);
      const recorder2 = recordReplies(resumedSocket);
      const resumed = await callOk<{ conversation: { turns: object[] } }>(resumedSocket, 'conversation:resume', {
        conversationId,
        resumeToken: started.resumeToken,
      });
      expect(resumed.conversation.turns[3]).toMatchObject({ speaker: 'bot', text: '', finishReason: 'interrupted' });
      await callOk(resumedSocket, 'message:send', { conversationId, text: 'what time is it ?' });
      const [reply] = await recorder2.ended(1);

      // The app that never restarted, answering the stored turns (the empty interrupted reply is left out).
      const generation = chat.app.get(GenerationService);
      const answer = (turns: string[]) => lastEvent(generation.reply(started.models[0].versionId, { id: randomUUID(), turns }, deterministic));
      const context = ['hello there !', first.end!.text, 'are you there ?', 'what time is it ?'];
      expect(reply.end!.text).toBe((await answer(context)).text);
      expect((await answer(context.slice(-1))).text).not.toBe(reply.end!.text); // the context does change this model's reply

      // A graceful shutdown stores the reply it stops as interrupted.
      const long = await callOk<Started>(resumedSocket, 'conversation:start', { decoding: LONG });
      await callOk(resumedSocket, 'message:send', { conversationId: long.conversationId, text: 'tell me a story' });
      await recorder2.until(() => [...recorder2.replies.values()].some((r) => r.start.conversationId === long.conversationId && r.tokens.length > 0), 'a token');
      await restarted.close();
      expect((await turnsOf(long.conversationId))[1]).toMatchObject({ speaker: 'bot', finishReason: 'interrupted' });
    } finally {
      await restarted.close();
    }
  });
});

describe('the default decoding (DEFAULT_DECODING unset)', () => {
  test('a conversation started without decoding replies by beam search of width 4, and stores it so', async () => {
    const beamChat = await startChatApp({}, chat.db, chat.modelsDir, { DEFAULT_DECODING: '' });
    const socket = await connect(beamChat.url);
    try {
      const recorder = recordReplies(socket);
      const started = await callOk<Started>(socket, 'conversation:start', {});
      expect(started).toMatchObject({ settings: { decoding: { strategy: 'beam', beamWidth: 4 } } });
      await callOk(socket, 'message:send', { conversationId: started.conversationId, text: 'hello there !' });
      const [reply] = await recorder.ended(1);
      expect(['eos', 'length']).toContain(reply.end!.finishReason);
      const stored = await turnsOf(started.conversationId);
      expect(stored[1]).toMatchObject({ speaker: 'bot', text: reply.end!.text, decoding: expect.objectContaining({ strategy: 'beam', beamWidth: 4 }) });
    } finally {
      socket.disconnect();
      await beamChat.close();
    }
  });
});
