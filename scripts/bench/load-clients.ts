/**
 * The chat load of issue 19, as an independent socket.io client would make it: `clients` sockets, each starting a
 * conversation and sending its next message when the reply to the previous one has ended, `turns` messages each.
 * At the end every client resumes its conversation and counts what the service stored: each message once, one
 * reply to each, both finished (lost: missing; duplicated: stored more than once).
 */
import { io, type Socket } from 'socket.io-client';
import { now } from './bench-context';

export interface LoadOptions {
  url: string;
  clients: number;
  turns: number;
  /** A dialogue per client (reused round-robin), at least `turns` long: its turns are the messages. */
  dialogues: string[][];
  /** conversation:start's payload (model, decoding); empty: the service's defaults. */
  start?: object;
}

export interface LoadResult {
  /** Per reply, from message:send to its first reply:token (ms), in the order they arrived. */
  firstTokenMs: number[];
  replies: number;
  seconds: number;
  stored: { expected: number; lost: number; duplicated: number };
}

type Ack = { ok: true; [key: string]: unknown } | { ok: false; error: { code: string; message: string } };
type StoredTurn = { index: number; speaker: 'user' | 'bot'; text: string; finishReason?: string | null };

const ACK_TIMEOUT_MS = 120_000;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const sockets = await Promise.all(Array.from({ length: options.clients }, () => connect(options.url)));
  try {
    const started = now();
    const results = await Promise.all(sockets.map((socket, n) => converse(socket, options.dialogues[n % options.dialogues.length].slice(0, options.turns).map((t) => t.trim()), options.start ?? {})));
    const seconds = (now() - started) / 1000;
    const stored = { expected: 0, lost: 0, duplicated: 0 };
    for (const r of results) {
      stored.expected += r.stored.expected;
      stored.lost += r.stored.lost;
      stored.duplicated += r.stored.duplicated;
    }
    const firstTokenMs = results.flatMap((r) => r.firstTokenMs);
    return { firstTokenMs, replies: firstTokenMs.length, seconds, stored };
  } finally {
    for (const socket of sockets) socket.close();
  }
}

async function connect(url: string): Promise<Socket> {
  const socket = io(`${url}/chat`, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: ACK_TIMEOUT_MS });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (error) => reject(new Error(`connect: ${error.message}`)));
  });
  return socket;
}

async function call(socket: Socket, event: string, payload: object): Promise<Ack & { ok: true }> {
  const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as Ack;
  if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`);
  return ack;
}

/** One client's conversation; returns each reply's time to first token and what was stored of it. */
async function converse(socket: Socket, messages: string[], start: object) {
  const { conversationId, resumeToken } = (await call(socket, 'conversation:start', start)) as unknown as { conversationId: string; resumeToken: string };
  const firstTokenMs: number[] = [];
  for (const [turn, text] of messages.entries()) {
    const sent = now();
    let first: number | undefined;
    const onToken = () => (first ??= now());
    socket.on('reply:token', onToken);
    const ended = new Promise<void>((resolve) => socket.once('reply:end', () => resolve()));
    await call(socket, 'message:send', { conversationId, text, clientMessageId: `m${turn}` });
    await ended;
    socket.off('reply:token', onToken);
    if (first !== undefined) firstTokenMs.push(first - sent);
  }
  const resumed = (await call(socket, 'conversation:resume', { conversationId, resumeToken })) as unknown as { conversation: { turns: StoredTurn[] } };
  return { firstTokenMs, stored: countStored(messages, resumed.conversation.turns) };
}

/** Each message should be stored once and answered once (a finished bot turn); counts what is missing or extra. */
export function countStored(messages: readonly string[], turns: readonly StoredTurn[]): { expected: number; lost: number; duplicated: number } {
  const unmatched = new Map<string, number>();
  for (const text of messages) unmatched.set(text, (unmatched.get(text) ?? 0) + 1);
  let duplicated = 0;
  for (const turn of turns.filter((t) => t.speaker === 'user')) {
    const left = unmatched.get(turn.text) ?? 0;
    if (left > 0) unmatched.set(turn.text, left - 1);
    else duplicated++;
  }
  const lostMessages = [...unmatched.values()].reduce((sum, n) => sum + n, 0);
  const bots = turns.filter((t) => t.speaker === 'bot' && t.finishReason !== null && t.finishReason !== 'interrupted').length;
  return {
    expected: 2 * messages.length,
    lost: lostMessages + Math.max(0, messages.length - bots),
    duplicated: duplicated + Math.max(0, bots - messages.length),
  };
}
