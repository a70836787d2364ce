import { Logger } from '@nestjs/common';
import { RecordingBroadcaster } from '../../test/support/fakes/chat-broadcaster.fake';
import { FakeConversationsRepository } from '../../test/support/fakes/conversations-repository.fake';
import { FakeGeneration } from '../../test/support/fakes/generation.fake';
import { FakeModelVersions } from '../../test/support/fakes/model-versions.fake';
import { toSocketError } from '../common/error-responses';
import { ConversationsService } from '../conversations/conversations.service';
import { Prisma } from '../generated/prisma/client';
import { GenerationError } from '../generation';
import { ServingMetrics } from '../metrics/serving-metrics';
import { ReplyScheduler, type SchedulerOptions } from '../serving/reply-scheduler';
import type { ChatOptions } from './chat.options';
import { type ChatClient, ChatService } from './chat.service';
import { ReplyStreamer } from './reply-streamer';

/** The chat's use cases on hand-written fakes: storage in memory, a scripted decoder, a recording broadcaster, a real reply queue. */
function newTestService(options: Partial<ChatOptions> = {}, serving: Partial<SchedulerOptions> = {}) {
  const repository = new FakeConversationsRepository();
  const conversations = new ConversationsService(repository.asRepository);
  const modelVersions = new FakeModelVersions();
  const generation = new FakeGeneration();
  const broadcaster = new RecordingBroadcaster();
  const metrics = new ServingMetrics({ replyLoad: () => ({ active: 0, waiting: 0 }), trainingRunsByStatus: async () => ({}) });
  const streamer = new ReplyStreamer(generation.asService, conversations, broadcaster.asBroadcaster, metrics);
  const chatOptions: ChatOptions = {
    maxMessageChars: 1000,
    maxConversationTurns: 100,
    inactiveVersions: false,
    rateLimit: { burst: 10, perSecond: 5 },
    decodingCaps: { maxTokens: 128, beamWidth: 8, candidates: 16, ignoreEos: false },
    maxCompare: 3,
    socketsPerAddress: 32,
    conversationsPerMinute: 20,
    trustedProxies: new Set(),
    defaultDecoding: {},
    ...options,
  };
  const scheduler = new ReplyScheduler({ maxRows: 64, maxQueued: 256, perClient: 8, ...serving });
  const sut = new ChatService(conversations, modelVersions.asService, streamer, generation.asService, chatOptions, scheduler);
  const hred = modelVersions.add('hred', 'hred-small', { active: true });
  return { sut, hred, mocks: { repository, modelVersions, generation, broadcaster, scheduler } };
}

/** Sends `text` and waits for the first token of its reply, which then streams until cancelled (a held reply). */
async function sendHeld(service: ReturnType<typeof newTestService>, client: ChatClient, conversationId: string, text: string, clientMessageId?: string) {
  service.mocks.generation.script({ tokens: ['one'], then: 'hold' });
  await service.sut.send(client, { conversationId, text, clientMessageId });
  await service.mocks.broadcaster.until(() => service.mocks.broadcaster.events('reply:token').length === 1);
}

/** A connection, as the gateway adapts a socket: where it comes from, and the conversations it may use. */
function newClient(address = '198.51.100.1'): ChatClient & { authorized: Set<string> } {
  const authorized = new Set<string>();
  return { address, authorized, isAuthorized: (id) => authorized.has(id), authorize: (id) => void authorized.add(id) };
}

/** Lets the service finish what follows a reply:end (the turn stops being busy once the reply's promise settles). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const outage = () => new Prisma.PrismaClientKnownRequestError("Can't reach database server at 10.0.0.5:5432", { code: 'P1001', clientVersion: 'test' });

describe(ChatService.name, () => {
  beforeAll(() => Logger.overrideLogger(false)); // the failures below are logged on purpose

  test('start authorizes the connection and answers with the resolved model', async () => {
    const { sut, hred } = newTestService();
    const client = newClient();
    const started = await sut.start(client, {});
    expect(client.authorized).toEqual(new Set([started.conversationId]));
    expect(started).toMatchObject({
      models: [{ ref: 'hred', slot: 0, versionId: hred.id, kind: 'hred', name: 'hred-small' }],
      settings: { models: ['hred'], decoding: {} },
      limits: { maxMessageChars: 1000, maxTokens: 128, maxBeamWidth: 8, maxCandidates: 16, maxCompare: 3, ignoreEos: false },
      training: true,
    });
  });

  test.each([
    ['no decoding: the service default (DEFAULT_DECODING)', {}, { strategy: 'beam', beamWidth: 4 }],
    ['a maximum length only: the default, with that length', { decoding: { maxTokens: 12 } }, { strategy: 'beam', beamWidth: 4, maxTokens: 12 }],
    ['a strategy of its own: as asked', { decoding: { strategy: 'greedy' as const } }, { strategy: 'greedy' }],
    ['candidates: as asked (beam would refuse them)', { decoding: { candidates: 8 } }, { candidates: 8 }],
  ])('start with %s', async (_, payload, decoding) => {
    const { sut } = newTestService({ defaultDecoding: { strategy: 'beam', beamWidth: 4 } });
    const started = await sut.start(newClient(), payload);
    expect(started.settings.decoding).toEqual(decoding);
  });

  test('send stores the user turn with its reply row, acks, then streams the reply and stores it', async () => {
    const { sut, hred, mocks } = newTestService();
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    mocks.generation.script({ tokens: ['fine', ',', 'thanks'] });

    const ack = await sut.send(client, { conversationId, text: 'how are you ?', clientMessageId: 'm1' });
    expect(ack).toEqual({ turnIndex: 0 });
    // One write before the first token: the reply's row is stored with the message, with no finish reason yet.
    expect(mocks.repository.turnsOf(conversationId)).toMatchObject([
      { index: 0, speaker: 'user', text: 'how are you ?', clientMessageId: 'm1' },
      { index: 1, speaker: 'bot', text: '', finishReason: null },
    ]);
    expect(mocks.broadcaster.emitted).toEqual([]); // reply:start never comes before the ack

    await mocks.broadcaster.ended();
    const [start] = mocks.broadcaster.events('reply:start');
    expect(start).toMatchObject({ conversationId, turnIndex: 0, model: { versionId: hred.id, slot: 0 } });
    expect(mocks.broadcaster.events('reply:token').map((t) => [t.index, t.text])).toEqual([[0, 'fine'], [1, 'fine ,'], [2, 'fine , thanks']]);
    expect(mocks.broadcaster.events('reply:end')).toEqual([
      { conversationId, replyId: start.replyId, text: 'fine , thanks', finishReason: 'eos', tokens: 3, firstTokenMs: expect.any(Number), totalMs: expect.any(Number) },
    ]);
    expect(mocks.generation.asked).toMatchObject([{ versionId: hred.id, history: { id: `${conversationId}#0`, turns: ['how are you ?'], truncated: false } }]);
    const [, reply] = mocks.repository.turnsOf(conversationId);
    expect(reply).toMatchObject({ index: 1, speaker: 'bot', text: 'fine , thanks', replyId: start.replyId, modelVersionId: hred.id, finishReason: 'complete', tokenCount: 3 });
    // Stored with the seed actually used, so the reply can be repeated.
    expect(reply.decoding).toMatchObject({ strategy: 'greedy', seed: mocks.generation.asked[0].decoding.seed });
    expect(mocks.generation.asked[0].decoding.seed).toEqual(expect.any(Number));
  });

  test('a second message waits for the reply; a retry of the first is a duplicate and adds nothing', async () => {
    const service = newTestService();
    const { sut, mocks } = service;
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    await sendHeld(service, client, conversationId, 'first', 'm1');
    const [{ replyId }] = mocks.broadcaster.events('reply:start');

    await expect(sut.send(client, { conversationId, text: 'first', clientMessageId: 'm1' })).resolves.toEqual({ turnIndex: 0, duplicate: true });
    const refused = await sut.send(client, { conversationId, text: 'second' }).catch(toSocketError);
    expect(refused).toMatchObject({ code: 'reply_in_progress', meta: { replyIds: [replyId] } });

    await sut.cancel(client, { conversationId, replyId });
    await mocks.broadcaster.ended();
    await settle();
    await expect(sut.send(client, { conversationId, text: 'first', clientMessageId: 'm1' })).resolves.toEqual({ turnIndex: 0, duplicate: true });
    expect(mocks.repository.turnsOf(conversationId).map((t) => t.speaker)).toEqual(['user', 'bot']); // no reply started again
  });

  test('an error from generation reaches the client with its code, and the text so far is kept', async () => {
    const { sut, mocks } = newTestService();
    const client = newClient();
    const { conversationId, resumeToken } = await sut.start(client, {});
    mocks.generation.script({ tokens: ['so', 'far'], then: 'throw', error: new Error('kernel crashed at 0x7f…') });
    await sut.send(client, { conversationId, text: 'tell me' });
    await mocks.broadcaster.ended();

    expect(mocks.broadcaster.events('reply:token')).toHaveLength(2);
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([
      { text: 'so far', tokens: 2, finishReason: 'error', error: { code: 'internal', message: 'internal error' } }, // no address leaks
    ]);
    expect(mocks.repository.turnsOf(conversationId)[1]).toMatchObject({ text: 'so far', tokenCount: 2, finishReason: 'failed' });
    // What a reload shows: both turns, the reply with what was streamed.
    const resumed = await sut.resume(newClient(), { conversationId, resumeToken });
    expect(resumed.conversation.turns).toMatchObject([
      { index: 0, speaker: 'user', text: 'tell me' },
      { index: 1, speaker: 'bot', text: 'so far', finishReason: 'error' },
    ]);
  });

  test('a model unloaded between the ack and the reply ends the reply with model_not_found', async () => {
    const { sut, hred, mocks } = newTestService();
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    mocks.generation.script({ tokens: [], then: 'throw', error: new GenerationError('MODEL_NOT_LOADED', `model version ${hred.id} is not loaded`, { ref: hred.id }) });
    await sut.send(client, { conversationId, text: 'hello' });
    await mocks.broadcaster.ended();
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([{ text: '', tokens: 0, finishReason: 'error', error: { code: 'model_not_found' } }]);
  });

  test('a message whose rows cannot be stored is refused: the client is told to retry, and no reply starts', async () => {
    const { sut, mocks } = newTestService();
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    mocks.repository.failNext('appendExchange', outage()); // the user turn and its reply row, stored together
    const refused = await sut.send(client, { conversationId, text: 'hello', clientMessageId: 'm1' }).catch(toSocketError);
    expect(refused).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/retry/) });
    expect(JSON.stringify(refused)).not.toContain('10.0.0.5');
    expect(mocks.repository.turnsOf(conversationId)).toEqual([]);
    expect(mocks.scheduler.load()).toEqual({ activeRows: 0, queued: 0 }); // its place in the reply queue given back

    await expect(sut.send(client, { conversationId, text: 'hello', clientMessageId: 'm1' })).resolves.toEqual({ turnIndex: 0 });
    await mocks.broadcaster.ended();
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([{ finishReason: 'eos' }]);
  });

  test('a message the model cannot answer now is refused with its code before it is stored, and its retry is answered', async () => {
    const { sut, hred, mocks } = newTestService();
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    mocks.generation.unloaded = new GenerationError('MODEL_NOT_LOADED', `model version ${hred.id} is not loaded`, { ref: hred.id });
    const refused = await sut.send(client, { conversationId, text: 'hello', clientMessageId: 'm1' }).catch(toSocketError);
    expect(refused).toMatchObject({ code: 'model_not_found' });
    expect(mocks.repository.turnsOf(conversationId)).toEqual([]); // refused before anything is stored: the retry is the message

    mocks.generation.unloaded = undefined;
    await expect(sut.send(client, { conversationId, text: 'hello', clientMessageId: 'm1' })).resolves.toEqual({ turnIndex: 0 });
    await mocks.broadcaster.ended();
    expect(mocks.repository.turnsOf(conversationId).map((t) => t.speaker)).toEqual(['user', 'bot']);
  });

  test('a retried message stored without a reply row is answered in a new row; once answered, a retry is a duplicate', async () => {
    const { sut, mocks } = newTestService();
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    await sut.send(client, { conversationId, text: 'hello', clientMessageId: 'm1' });
    await mocks.broadcaster.ended();
    await settle();
    // As a server that stored reply rows after the ack left it when it crashed in between: the message alone.
    mocks.repository.turns.splice(mocks.repository.turns.findIndex((t) => t.speaker === 'bot'), 1);
    mocks.broadcaster.emitted.length = 0;

    await expect(sut.send(client, { conversationId, text: 'hello', clientMessageId: 'm1' })).resolves.toEqual({ turnIndex: 0, duplicate: true });
    await mocks.broadcaster.ended();
    await settle();
    expect(mocks.repository.turnsOf(conversationId).map((t) => [t.index, t.speaker, t.finishReason])).toEqual([[0, 'user', null], [1, 'bot', 'complete']]);
    await expect(sut.send(client, { conversationId, text: 'hello', clientMessageId: 'm1' })).resolves.toEqual({ turnIndex: 0, duplicate: true });
    expect(mocks.repository.turnsOf(conversationId)).toHaveLength(2);
  });

  test('cancel stops a streaming reply and stores it cancelled; a second cancel finds nothing streaming', async () => {
    const { sut, mocks } = newTestService();
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    mocks.generation.script({ tokens: ['one', 'two'], then: 'hold' });
    await sut.send(client, { conversationId, text: 'count' });
    await mocks.broadcaster.until(() => mocks.broadcaster.events('reply:token').length === 2);
    const [{ replyId }] = mocks.broadcaster.events('reply:start');

    await expect(sut.cancel(newClient(), { conversationId, replyId }).catch(toSocketError)).resolves.toMatchObject({ code: 'not_authorized' });
    await expect(sut.cancel(client, { conversationId, replyId })).resolves.toEqual({});
    await mocks.broadcaster.ended();
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([{ replyId, text: 'one two', finishReason: 'cancelled' }]);
    expect(mocks.broadcaster.events('reply:end')[0].error).toBeUndefined();
    expect(mocks.repository.turnsOf(conversationId)[1]).toMatchObject({ text: 'one two', finishReason: 'cancelled' });
    await settle();
    await expect(sut.cancel(client, { conversationId, replyId }).catch(toSocketError)).resolves.toMatchObject({ code: 'reply_not_found', meta: { replyId } });
  });

  test('a shutdown ends the streaming reply as an error, stored interrupted, and refuses new messages', async () => {
    const service = newTestService();
    const { sut, mocks } = service;
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    await sendHeld(service, client, conversationId, 'hello');

    await sut.onModuleDestroy(); // resolves once the reply is stored
    expect(mocks.repository.turnsOf(conversationId)[1]).toMatchObject({ text: 'one', finishReason: 'interrupted' });
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([{ text: 'one', finishReason: 'error', error: { code: 'shutting_down' } }]);
    await expect(sut.send(client, { conversationId, text: 'again' }).catch(toSocketError)).resolves.toMatchObject({ code: 'shutting_down' });
  });

  test.each([
    ['a connection that has not started or resumed it', (id: string) => id, 'not_authorized'],
    ['an unknown conversation', () => '6f1c1c1e-8a5b-4c1e-9a53-3d1c2b7f4a10', 'conversation_not_found'],
  ])('refuses %s', async (_, conversationOf, code) => {
    const { sut } = newTestService();
    const { conversationId } = await sut.start(newClient(), {});
    const refused = await sut.send(newClient(), { conversationId: conversationOf(conversationId), text: 'hi' }).catch(toSocketError);
    expect(refused).toMatchObject({ code });
  });

  test('resume checks the token, and authorizes the connection when it matches', async () => {
    const { sut } = newTestService();
    const { conversationId, resumeToken } = await sut.start(newClient(), {});
    const client = newClient();
    await expect(sut.resume(client, { conversationId, resumeToken: 'x'.repeat(43) }).catch(toSocketError)).resolves.toMatchObject({ code: 'invalid_token' });
    expect(client.authorized.size).toBe(0);
    await sut.resume(client, { conversationId, resumeToken });
    expect(client.isAuthorized(conversationId)).toBe(true);
  });

  test('a conversation at MAX_CONVERSATION_TURNS takes no more messages', async () => {
    const { sut, mocks } = newTestService({ maxConversationTurns: 2 });
    const client = newClient();
    const { conversationId } = await sut.start(client, {});
    await sut.send(client, { conversationId, text: 'one' });
    await mocks.broadcaster.ended();
    await settle();
    const refused = await sut.send(client, { conversationId, text: 'two' }).catch(toSocketError);
    expect(refused).toMatchObject({ code: 'conversation_full', meta: { conversationId, maxTurns: 2 } });
  });

  test('feedback on a reply of another conversation is reply_not_found', async () => {
    const { sut, mocks } = newTestService();
    const client = newClient();
    const first = await sut.start(client, {});
    const second = await sut.start(client, {});
    await sut.send(client, { conversationId: first.conversationId, text: 'hello' });
    await mocks.broadcaster.ended();
    const [{ replyId }] = mocks.broadcaster.events('reply:start');
    await expect(sut.feedback(client, { conversationId: first.conversationId, replyId, rating: 1 })).resolves.toEqual({});
    const refused = await sut.feedback(client, { conversationId: second.conversationId, replyId, rating: 1 }).catch(toSocketError);
    expect(refused).toMatchObject({ code: 'reply_not_found', meta: { replyId } });
  });
  describe('serving limits (issue 19)', () => {
    test.each([
      ['decoding.maxTokens', { decoding: { maxTokens: 129 } }, 128],
      ['decoding.ignoreEos', { decoding: { ignoreEos: true } }, false],
      ['compare', { compare: ['hred', 'hred', 'hred', 'hred'] }, 3],
    ])('start over a cap is refused as over_limit naming %s, and starts nothing', async (field, payload, max) => {
      const { sut, mocks } = newTestService();
      const client = newClient();
      const refused = await sut.start(client, payload).catch(toSocketError);
      expect(refused).toMatchObject({ code: 'over_limit', meta: { field, max } });
      expect(client.authorized.size).toBe(0);
      expect(mocks.repository.conversations.size).toBe(0);
    });

    test('an address past CHAT_CONVERSATIONS_PER_MINUTE gets too_many_conversations; another address does not', async () => {
      const { sut } = newTestService({ conversationsPerMinute: 2 });
      await sut.start(newClient('198.51.100.7'), {});
      await sut.start(newClient('198.51.100.7'), {});
      const refused = await sut.start(newClient('198.51.100.7'), {}).catch(toSocketError);
      expect(refused).toMatchObject({ code: 'too_many_conversations', meta: { max: 2, retryAfterMs: expect.any(Number) } });
      await expect(sut.start(newClient('198.51.100.8'), {})).resolves.toMatchObject({ training: true });
    });

    test('a full reply queue refuses a message with server_busy and a retry time, storing nothing', async () => {
      const service = newTestService({}, { maxRows: 1, maxQueued: 0 });
      const { sut, mocks } = service;
      const first = newClient('198.51.100.1');
      const second = newClient('198.51.100.2');
      const a = await sut.start(first, {});
      const b = await sut.start(second, {});
      await sendHeld(service, first, a.conversationId, 'hold the only row');

      const refused = await sut.send(second, { conversationId: b.conversationId, text: 'me too' }).catch(toSocketError);
      expect(refused).toMatchObject({ code: 'server_busy', meta: { retryAfterMs: expect.any(Number) } });
      expect(mocks.repository.turnsOf(b.conversationId)).toEqual([]);

      const [{ replyId }] = mocks.broadcaster.events('reply:start');
      await sut.cancel(first, { conversationId: a.conversationId, replyId });
      await mocks.broadcaster.ended();
      await settle();
      await expect(sut.send(second, { conversationId: b.conversationId, text: 'me too' })).resolves.toEqual({ turnIndex: 0 });
    });

    test('the last listener leaving stops the reply (stored cancelled); with listeners left it goes on', async () => {
      const service = newTestService();
      const { sut, mocks } = service;
      const client = newClient();
      const { conversationId } = await sut.start(client, {});
      await sendHeld(service, client, conversationId, 'hello');

      sut.listenerLeft(conversationId, 1); // another tab still listens
      await settle();
      expect(mocks.broadcaster.events('reply:end')).toEqual([]);
      sut.listenerLeft(conversationId, 0);
      await mocks.broadcaster.ended();
      expect(mocks.broadcaster.events('reply:end')).toMatchObject([{ text: 'one', finishReason: 'cancelled' }]);
      expect(mocks.repository.turnsOf(conversationId)[1]).toMatchObject({ text: 'one', finishReason: 'cancelled' });
    });
  });
});
