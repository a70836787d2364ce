import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { RecordingBroadcaster } from '../../test/support/fakes/chat-broadcaster.fake';
import { FakeConversationsRepository } from '../../test/support/fakes/conversations-repository.fake';
import { FakeGeneration } from '../../test/support/fakes/generation.fake';
import { ConversationsService } from '../conversations/conversations.service';
import { ServingMetrics } from '../metrics/serving-metrics';
import type { Admission } from '../serving/reply-scheduler';
import type { ReplyModel } from './chat.events';
import { type PlannedReply, ReplyStreamer } from './reply-streamer';

function newTestStreamer() {
  const repository = new FakeConversationsRepository();
  const conversations = new ConversationsService(repository.asRepository);
  const generation = new FakeGeneration();
  const broadcaster = new RecordingBroadcaster();
  const metrics = new ServingMetrics({ replyLoad: () => ({ active: 0, waiting: 0 }), trainingRunsByStatus: async () => ({}) });
  const sut = new ReplyStreamer(generation.asService, conversations, broadcaster.asBroadcaster, metrics);
  return { sut, conversations, mocks: { repository, generation, broadcaster } };
}

/** A conversation holding one user turn and its reply rows, stored together as ChatService does (one per model column), and the replies planned for them. */
async function planned(conversations: ConversationsService, columns: number): Promise<PlannedReply[]> {
  const { id: conversationId } = await conversations.start();
  const models = Array.from({ length: columns }, (_, slot): ReplyModel => ({ ref: 'hred', versionId: randomUUID(), kind: 'hred', name: `hred-${slot}`, slot }));
  const bots = models.map((model, slot) => ({ speaker: 'bot' as const, text: '', replyId: randomUUID(), modelVersionId: model.versionId, decoding: { seed: 7 + slot } }));
  const { turns } = await conversations.appendExchange(conversationId, { speaker: 'user', text: 'hello there' }, bots);
  return models.map((model, slot) => {
    const { id, index, replyId } = turns[slot + 1];
    return { conversationId, replyId: replyId!, row: { id, index }, model, context: ['hello there'], truncated: false, decoding: { seed: 7 + slot }, receivedAt: Date.now() };
  });
}

/** A place in the reply queue: admitted at once, or (`held`) never, as a reply waiting behind a busy service. */
function admission(held = false): Admission {
  return { admitted: held ? new Promise<void>(() => {}) : Promise.resolve(), release: () => {} };
}

describe(ReplyStreamer.name, () => {
  beforeAll(() => Logger.overrideLogger(false)); // the failures below are logged on purpose

  test('starts every reply in column order, streams them at once, and completes each row in place', async () => {
    const { sut, conversations, mocks } = newTestStreamer();
    const replies = await planned(conversations, 2);
    mocks.generation.script({ tokens: ['a', 'b'] }, { tokens: ['c'] });
    const outcomes = await sut.run(replies, 0, admission());

    const rows = mocks.repository.turnsOf(replies[0].conversationId).slice(1);
    expect(rows.map((r) => [r.index, r.replyId, r.modelVersionId])).toEqual(replies.map((r, i) => [i + 1, r.replyId, r.model.versionId]));
    expect(mocks.generation.asked.map((a) => a.decoding)).toEqual([{ seed: 7 }, { seed: 8 }]); // the seed stored in the row
    expect(mocks.broadcaster.events('reply:start').map((e) => e.replyId)).toEqual(replies.map((r) => r.replyId));
    expect(outcomes.map((o) => [o.reply.replyId, o.text, o.stored])).toEqual([[replies[0].replyId, 'a b', true], [replies[1].replyId, 'c', true]]);
    const order = mocks.broadcaster.emitted.map((e) => e.event);
    expect(order.slice(0, 2)).toEqual(['reply:start', 'reply:start']); // both columns appear before any token
    const ends = new Map(mocks.broadcaster.events('reply:end').map((e) => [e.replyId, [e.text, e.finishReason]])); // the columns stream at once
    expect(replies.map((r) => ends.get(r.replyId))).toEqual([['a b', 'eos'], ['c', 'eos']]);
    expect(rows.map((r) => [r.text, r.finishReason, r.tokenCount])).toEqual([['a b', 'complete', 2], ['c', 'complete', 1]]);
  });

  // A client that has seen reply:end may resume at once and must find the reply complete.
  test('sends reply:end only once the row holds the reply', async () => {
    const { sut, conversations, mocks } = newTestStreamer();
    const replies = await planned(conversations, 1);
    mocks.generation.script({ tokens: ['done'] });
    const storedAtEnd: unknown[] = [];
    mocks.broadcaster.onEmit = (e) => {
      if (e.event === 'reply:end') storedAtEnd.push(mocks.repository.turnsOf(e.conversationId)[1].finishReason);
    };
    await sut.run(replies, 0, admission());
    expect(storedAtEnd).toEqual(['complete']);
  });

  test('a failing column ends as an error with its code while the other completes', async () => {
    const { sut, conversations, mocks } = newTestStreamer();
    const replies = await planned(conversations, 2);
    mocks.generation.script({ tokens: ['half'], then: 'throw', error: new Error('out of memory') }, { tokens: ['whole', 'reply'] });
    await sut.run(replies, 0, admission());
    const ends = new Map(mocks.broadcaster.events('reply:end').map((e) => [e.replyId, e]));
    expect(ends.get(replies[0].replyId)).toMatchObject({ text: 'half', finishReason: 'error', error: { code: 'internal', message: 'internal error' } });
    expect(ends.get(replies[1].replyId)).toMatchObject({ text: 'whole reply', finishReason: 'eos' });
    expect(mocks.repository.turnsOf(replies[0].conversationId).slice(1).map((r) => [r.text, r.finishReason])).toEqual([['half', 'failed'], ['whole reply', 'complete']]);
  });

  test('a reply cancelled between the ack and run() stops before its first token', async () => {
    const { sut, conversations, mocks } = newTestStreamer();
    const replies = await planned(conversations, 1);
    mocks.generation.script({ tokens: ['never', 'sent'] });
    sut.register(replies);
    expect(sut.cancel(replies[0].replyId)).toBe(true);
    expect(sut.cancel(replies[0].replyId)).toBe(false); // already stopping
    await sut.run(replies, 0, admission());
    expect(mocks.broadcaster.events('reply:token')).toEqual([]);
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([{ text: '', finishReason: 'cancelled', tokens: 0, firstTokenMs: null }]);
    expect(sut.cancel(replies[0].replyId)).toBe(false); // over: nothing left to cancel
  });

  test('cancelAll at shutdown stores each streaming reply as interrupted and tells its clients why', async () => {
    const { sut, conversations, mocks } = newTestStreamer();
    const replies = await planned(conversations, 2);
    mocks.generation.script({ tokens: ['one'], then: 'hold' }, { tokens: ['two'], then: 'hold' });
    const running = sut.run(replies, 0, admission());
    await mocks.broadcaster.until(() => mocks.broadcaster.events('reply:token').length === 2);
    sut.cancelAll('shutdown');
    await running;
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([
      { text: 'one', finishReason: 'error', error: { code: 'shutting_down' } },
      { text: 'two', finishReason: 'error', error: { code: 'shutting_down' } },
    ]);
    expect(mocks.repository.turnsOf(replies[0].conversationId).slice(1).map((r) => r.finishReason)).toEqual(['interrupted', 'interrupted']);
  });

  test('a reply waiting for admission is never decoded when cancelled (or shut down) meanwhile', async () => {
    const { sut, conversations, mocks } = newTestStreamer();
    const replies = await planned(conversations, 2);
    const running = sut.run(replies, 0, admission(true));
    await mocks.broadcaster.until(() => mocks.broadcaster.events('reply:start').length === 2);
    sut.cancel(replies[0].replyId);
    sut.cancel(replies[1].replyId, 'shutdown');
    await running;
    expect(mocks.generation.asked).toEqual([]);
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([
      { replyId: replies[0].replyId, text: '', finishReason: 'cancelled', tokens: 0 },
      { replyId: replies[1].replyId, text: '', finishReason: 'error', error: { code: 'shutting_down' } },
    ]);
    expect(mocks.broadcaster.events('reply:end')[0].error).toBeUndefined();
    expect(mocks.repository.turnsOf(replies[0].conversationId).slice(1).map((r) => r.finishReason)).toEqual(['cancelled', 'interrupted']);
  });

  test("a reply whose end cannot be stored still ends on the wire, and tells the caller its row is stale", async () => {
    const { sut, conversations, mocks } = newTestStreamer();
    const replies = await planned(conversations, 1);
    mocks.generation.script({ tokens: ['lost'] });
    mocks.repository.failNext('updateBotTurn', new Error('connection reset'));
    const [outcome] = await sut.run(replies, 0, admission());
    expect(mocks.broadcaster.events('reply:end')).toMatchObject([{ text: 'lost', finishReason: 'eos' }]);
    expect(outcome).toMatchObject({ text: 'lost', stored: false });
  });
});
