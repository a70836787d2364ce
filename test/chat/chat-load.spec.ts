import { monitorEventLoopDelay } from 'node:perf_hooks';
import { callOk, type ChatSocket, type ChatTestApp, connect, recordReplies, startChatApp } from './chat-test-app';

const CLIENTS = Number(process.env.CHAT_LOAD_CLIENTS ?? 50);
const TURNS = 5;

let chat: ChatTestApp;
const sockets: ChatSocket[] = [];

beforeAll(async () => {
  chat = await startChatApp();
});
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await chat?.close();
});

/** One client: start, then TURNS messages, each after the previous reply ended. Returns its conversation. */
async function converse(socket: ChatSocket, n: number): Promise<{ conversationId: string; foreign: number; replies: number }> {
  const recorder = recordReplies(socket);
  const { conversationId } = await callOk<{ conversationId: string }>(socket, 'conversation:start', {
    model: n % 2 ? 'hred' : 'vhred',
    decoding: { strategy: 'sample', maxTokens: 8, seed: n },
  });
  for (let turn = 0; turn < TURNS; turn++) {
    const ack = await callOk<{ turnIndex: number }>(socket, 'message:send', { conversationId, text: `client ${n} turn ${turn}`, clientMessageId: `${n}-${turn}` });
    expect(ack.turnIndex).toBe(2 * turn);
    await recorder.ended(turn + 1);
  }
  const ownReplies = new Set([...recorder.replies.values()].filter((r) => r.start.conversationId === conversationId).map((r) => r.start.replyId));
  const foreign = recorder.all.filter((e) => e.conversationId !== conversationId || !ownReplies.has(e.replyId)).length;
  for (const reply of recorder.replies.values()) expect(reply.end!.text).toBe(reply.tokens.at(-1)?.text ?? '');
  return { conversationId, foreign, replies: recorder.replies.size };
}

test(`${CLIENTS} concurrent clients × ${TURNS} turns: every reply arrives, every turn is stored once, nobody sees another's tokens`, async () => {
  // Connected one after another (a connection storm is not what this tests), then all talking at once.
  for (let n = 0; n < CLIENTS; n++) sockets.push(await connect(chat.url));
  const lag = process.env.CHAT_LOAD_LAG ? monitorLag() : undefined;
  const results = await Promise.all(sockets.map((socket, n) => converse(socket, n)));
  lag?.();

  expect(results.map((r) => r.replies)).toEqual(Array(CLIENTS).fill(TURNS));
  expect(results.reduce((sum, r) => sum + r.foreign, 0)).toBe(0);
  const turns = await chat.db.prisma.turn.findMany({ where: { conversationId: { in: results.map((r) => r.conversationId) } }, orderBy: { index: 'asc' } });
  expect(turns).toHaveLength(CLIENTS * TURNS * 2);
  for (const [n, { conversationId }] of results.entries()) {
    const own = turns.filter((t) => t.conversationId === conversationId);
    expect(own.map((t) => t.speaker)).toEqual(Array.from({ length: TURNS }, () => ['user', 'bot']).flat());
    expect(own.filter((t) => t.speaker === 'user').map((t) => t.text)).toEqual(Array.from({ length: TURNS }, (_, turn) => `client ${n} turn ${turn}`));
    expect(own.filter((t) => t.speaker === 'bot').every((t) => t.finishReason !== null)).toBe(true);
  }
}, 180_000);

/** CHAT_LOAD_LAG=1: prints the event loop's delay while the clients talk (how long the loop was ever blocked). */
function monitorLag() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    histogram.disable();
    const ms = (ns: number) => Math.round(ns / 1e6);
    process.stdout.write(`event loop delay: p50 ${ms(histogram.percentile(50))} ms, p99 ${ms(histogram.percentile(99))} ms, max ${ms(histogram.max)} ms\n`);
  };
}
