/**
 * Collects conversations by chatting with a running service: for each dialogue of a corpus, a simulated person writes
 * that dialogue's first speaker's turns (turns 0, 2, 4, …) through the /chat socket.io API, each after the model's
 * reply to the one before, as the chat page would. The service stores them like any conversation, ready for a
 * training run on `{"source": "conversations"}` (README, *Retraining on conversations*).
 *
 *   node -r @swc-node/register scripts/chat-corpus.ts --url http://127.0.0.1:3555 \
 *     --data ../shared/data/dailydialog/test.jsonl --conversations 300 [--concurrency 4] [--max-user-turns 5]
 *     [--max-tokens 30] [--model hred] [--opt-out-every N]
 *
 * `--opt-out-every N` starts every Nth conversation with `training: false`, as a person unticking the page's box would.
 * Each socket stays under the per-socket rate limit (a `rate_limited` ack waits and retries; a retried message carries
 * the same clientMessageId, so it is never stored twice).
 */
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { readDialogues } from '../src/tokenization/corpus-reader';

interface Options {
  url: string;
  model: string;
  maxTokens: number;
  optOutEvery: number;
}

type Ack = { ok: true; [key: string]: unknown } | { ok: false; error: { code: string; message: string; meta?: { retryAfterMs?: number } } };

const ACK_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An event with its ack; rate_limited waits as told and sends again, any other error throws. */
async function call(socket: Socket, event: string, payload: object): Promise<Record<string, unknown>> {
  for (;;) {
    const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as Ack;
    if (ack.ok) return ack;
    if (ack.error.code !== 'rate_limited') throw new Error(`${event}: ${ack.error.code}: ${ack.error.message}`);
    await sleep(ack.error.meta?.retryAfterMs ?? 200);
  }
}

/** The reply:end of this conversation's next reply (one conversation at a time per socket). */
function replyEnd(socket: Socket, conversationId: string): Promise<{ finishReason: string; tokens: number }> {
  return new Promise((resolve) => {
    const onEnd = (e: { conversationId: string; finishReason: string; tokens: number }) => {
      if (e.conversationId !== conversationId) return;
      socket.off('reply:end', onEnd);
      resolve(e);
    };
    socket.on('reply:end', onEnd);
  });
}

async function chat(socket: Socket, userTurns: string[], index: number, o: Options, finishes: Map<string, number>): Promise<void> {
  const training = !(o.optOutEvery > 0 && (index + 1) % o.optOutEvery === 0);
  const started = await call(socket, 'conversation:start', { model: o.model, decoding: { strategy: 'greedy', maxTokens: o.maxTokens }, training });
  const conversationId = String(started.conversationId);
  for (const [i, text] of userTurns.entries()) {
    const ended = replyEnd(socket, conversationId);
    await call(socket, 'message:send', { conversationId, text, clientMessageId: `u${i}` });
    const { finishReason } = await ended;
    finishes.set(finishReason, (finishes.get(finishReason) ?? 0) + 1);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      data: { type: 'string' },
      conversations: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '4' },
      'max-user-turns': { type: 'string', default: '5' },
      'max-tokens': { type: 'string', default: '30' },
      model: { type: 'string', default: 'hred' },
      'opt-out-every': { type: 'string', default: '0' },
    },
  });
  const count = Number(values.conversations);
  const concurrency = Number(values.concurrency);
  const maxUserTurns = Number(values['max-user-turns']);
  const o: Options = { url: values.url!, model: values.model!, maxTokens: Number(values['max-tokens']), optOutEvery: Number(values['opt-out-every']) };
  if (!values.data || !(count >= 1) || !(concurrency >= 1) || !(maxUserTurns >= 2) || !(o.maxTokens >= 1) || !(o.optOutEvery >= 0)) {
    throw new Error('usage: chat-corpus.ts --data <corpus.jsonl> [--url U] [--conversations N] [--concurrency C] [--max-user-turns T>=2] [--max-tokens K] [--model M] [--opt-out-every N]');
  }

  // The first speaker's turns; a dialogue needs two of them, or nothing after the first would be learned.
  const scripts: string[][] = [];
  for await (const d of readDialogues(values.data, { malformed: 'throw' })) {
    const userTurns = d.turns.filter((_, i) => i % 2 === 0).slice(0, maxUserTurns);
    if (userTurns.length >= 2) scripts.push(userTurns);
    if (scripts.length >= count) break;
  }

  const started = Date.now();
  const finishes = new Map<string, number>();
  let next = 0;
  let done = 0;
  const worker = async () => {
    const socket = io(`${o.url}/chat`, { transports: ['websocket'] });
    try {
      for (let i = next++; i < scripts.length; i = next++) {
        await chat(socket, scripts[i], i, o, finishes);
        if (++done % 25 === 0) console.log(`${done}/${scripts.length} conversations (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
    } finally {
      socket.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const userTurns = scripts.reduce((n, s) => n + s.length, 0);
  const optedOut = o.optOutEvery > 0 ? Math.floor(scripts.length / o.optOutEvery) : 0;
  console.log(
    `${scripts.length} conversations (${optedOut} opted out of training), ${userTurns} user turns, replies by finish reason ${JSON.stringify(Object.fromEntries(finishes))}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
