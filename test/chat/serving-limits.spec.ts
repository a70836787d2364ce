/**
 * Issue 19's limits, on the whole application: caps on what a client may ask, per-address limits, the busy answer
 * of a full reply queue, replies that stop when nobody listens any more, and the abuse of the issue (one address,
 * hundreds of sockets asking for the most expensive replies) against a bystander on another address.
 * Clients get their address from X-Forwarded-For (127.0.0.1, the test's own peer address, is a trusted proxy here), so
 * each test is a different client. Replies that must stay open are held by a fake decoder (heldReplies), so
 * nothing depends on how fast the machine is.
 */
import { io } from 'socket.io-client';
import { ChatService } from '../../src/chat/chat.service';
import { GenerationService } from '../../src/generation';
import type { GenerationEvent } from '../../src/generation/generation-events';
import { call, callOk, type ChatSocket, type ChatTestApp, recordReplies, startChatApp } from './chat-test-app';

/** The limits under test (the defaults, but for a small reply queue). */
const LIMITS = {
  TRUSTED_PROXIES: '127.0.0.1',
  CHAT_MAX_TOKENS: '128',
  CHAT_MAX_BEAM_WIDTH: '8',
  CHAT_MAX_CANDIDATES: '16',
  CHAT_MAX_COMPARE: '3',
  CHAT_IGNORE_EOS: 'false',
  CHAT_SOCKETS_PER_ADDRESS: '32',
  CHAT_CONVERSATIONS_PER_MINUTE: '20',
  SERVE_MAX_ROWS: '4',
  SERVE_MAX_QUEUED: '4',
  SERVE_REPLIES_PER_ADDRESS: '3',
};
type Started = { conversationId: string; resumeToken: string };

let chat: ChatTestApp;
const sockets: ChatSocket[] = [];
let addresses = 0;

/** A fresh client address (documentation range 198.51.100.0/24), so each test has limits of its own. */
const newAddress = () => `198.51.100.${++addresses}`;

async function connectFrom(address: string): Promise<ChatSocket> {
  const socket: ChatSocket = io(`${chat.url}/chat`, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { 'x-forwarded-for': address } });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * Replaces the decoder: each reply sends one token, then waits until the test releases it (eos) or it is aborted.
 * Replies of the conversations `real` names are decoded by the model, as usual.
 */
function heldReplies(real: (conversationId: string) => boolean = () => false) {
  const held: { release(): void; signal?: AbortSignal }[] = [];
  const waiters: (() => void)[] = [];
  const generation = chat.app.get(GenerationService);
  const decode = generation.reply.bind(generation);
  const spy = jest.spyOn(generation, 'reply').mockImplementation(async function* (ref, history, decoding, signal): AsyncGenerator<GenerationEvent> {
    const id = 'id' in history ? String(history.id) : '';
    if (real(id.split('#')[0])) return yield* decode(ref, history, decoding, signal);
    yield { type: 'token', index: 0, id: 4, token: 'hi', text: 'hi', delta: 'hi' };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    held.push({ release, signal });
    waiters.splice(0).forEach((wake) => wake());
    await Promise.race([released, new Promise((resolve) => signal?.addEventListener('abort', resolve))]);
    yield { type: 'end', finishReason: signal?.aborted ? 'cancelled' : 'eos', ids: [4], text: 'hi', seed: 1 };
  });
  /** Resolves once `n` replies are decoding (held). */
  const decoding = async (n: number) => {
    while (held.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { held, decoding, restore: () => spy.mockRestore() };
}

/** The stored finish reason of a reply, once it has one. */
async function storedFinish(replyId: string): Promise<string> {
  for (;;) {
    const turn = await chat.db.prisma.turn.findUnique({ where: { replyId } });
    if (turn?.finishReason) return turn.finishReason;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the service has heard that a listener of the conversation left (the gateway asks the room who is left, asynchronously). */
function listenerLeft(conversationId: string): Promise<number> {
  const service = chat.app.get(ChatService);
  const original = service.listenerLeft.bind(service);
  return new Promise((resolve) => {
    const spy = jest.spyOn(service, 'listenerLeft').mockImplementation((id, remaining) => {
      original(id, remaining);
      if (id !== conversationId) return;
      spy.mockRestore();
      resolve(remaining);
    });
  });
}

beforeAll(async () => {
  chat = await startChatApp({}, undefined, undefined, LIMITS);
});
afterEach(() => sockets.splice(0).forEach((s) => s.disconnect()));
afterAll(async () => {
  await chat?.close();
});

describe('caps: a request over one is refused with the field named', () => {
  test.each([
    ['maxTokens', { decoding: { maxTokens: 512 } }, { field: 'decoding.maxTokens', max: 128 }],
    ['beamWidth', { decoding: { strategy: 'beam', beamWidth: 16 } }, { field: 'decoding.beamWidth', max: 8 }],
    ['candidates', { decoding: { strategy: 'sample', candidates: 32 } }, { field: 'decoding.candidates', max: 16 }],
    ['ignoreEos, off for chat unless configured', { decoding: { ignoreEos: true } }, { field: 'decoding.ignoreEos', max: false }],
    ['compare width', { compare: ['hred', 'vhred', 'hred', 'vhred'] }, { field: 'compare', max: 3 }],
  ])('conversation:start: %s', async (_, payload, meta) => {
    const socket = await connectFrom(newAddress());
    const ack = await call(socket, 'conversation:start', payload);
    expect(ack).toMatchObject({ ok: false, error: { code: 'over_limit', meta } });
    // at the cap itself: accepted, and the caps are in the ack's limits
    const within = await callOk<{ limits: object }>(socket, 'conversation:start', { decoding: { maxTokens: 128, strategy: 'beam', beamWidth: 8 } });
    expect(within.limits).toEqual({ maxMessageChars: 1000, maxTokens: 128, maxBeamWidth: 8, maxCandidates: 16, maxCompare: 3, ignoreEos: false });
  });

  test.each([
    ['max_tokens', { max_tokens: 512 }, 'max_tokens'],
    ['decoding.ignoreEos', { decoding: { ignoreEos: true } }, 'decoding.ignoreEos'],
    ['n for a beam as wide as n', { n: 12, decoding: { strategy: 'beam' } }, 'n'],
  ])('/v1/chat/completions: %s', async (_, fields, param) => {
    const response = await fetch(`${chat.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hred', messages: [{ role: 'user', content: 'hi' }], ...fields }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param, code: 'over_limit' } });
  });
});

describe('per-address limits', () => {
  test('sockets: one more than CHAT_SOCKETS_PER_ADDRESS gets a too_many_sockets connect_error; a closed one frees its place', async () => {
    const address = newAddress();
    const open = await Promise.all(Array.from({ length: 32 }, () => connectFrom(address)));
    const refused = await connectFrom(address).catch((error: Error & { data?: unknown }) => error);
    expect(refused).toMatchObject({ data: { code: 'too_many_sockets', meta: { max: 32 } } });
    await expect(connectFrom(newAddress())).resolves.toBeDefined(); // another address is not affected
    const { conversationId } = await callOk<Started>(open[0], 'conversation:start', {});
    const left = listenerLeft(conversationId); // (the last step of the server's disconnect handling)
    open[0].disconnect();
    await left;
    await expect(connectFrom(address)).resolves.toBeDefined();
  });

  test('conversations: past CHAT_CONVERSATIONS_PER_MINUTE, too_many_conversations with a retry time', async () => {
    const socket = await connectFrom(newAddress());
    // the socket's own event rate limit (10, then 5/s) paces the starts; the address limit is what refuses
    for (let i = 0; i < 20; i++) {
      const ack = await call(socket, 'conversation:start', {});
      if (!ack.ok && ack.error.code === 'rate_limited') {
        await new Promise((resolve) => setTimeout(resolve, Number(ack.error.meta?.retryAfterMs)));
        i--;
        continue;
      }
      expect(ack.ok).toBe(true);
    }
    let refused = await call(socket, 'conversation:start', {});
    while (!refused.ok && refused.error.code === 'rate_limited') {
      await new Promise((resolve) => setTimeout(resolve, Number(refused.ok ? 0 : refused.error.meta?.retryAfterMs)));
      refused = await call(socket, 'conversation:start', {});
    }
    expect(refused).toMatchObject({ ok: false, error: { code: 'too_many_conversations', meta: { max: 20, retryAfterMs: expect.any(Number) } } });
  });
});

describe('the reply queue', () => {
  test('full: a new message gets server_busy with retryAfterMs in its ack, and is not stored', async () => {
    const fake = heldReplies();
    try {
      // SERVE_MAX_ROWS 4 decoding + SERVE_MAX_QUEUED 4 waiting, from three addresses (three replies each at most)
      const conversations: { socket: ChatSocket; conversationId: string }[] = [];
      for (const address of [newAddress(), newAddress(), newAddress()]) {
        const socket = await connectFrom(address);
        for (let i = 0; i < 3; i++) conversations.push({ socket, conversationId: (await callOk<Started>(socket, 'conversation:start', {})).conversationId });
      }
      for (const { socket, conversationId } of conversations.slice(0, 8)) await callOk(socket, 'message:send', { conversationId, text: 'hold on' });
      await fake.decoding(4);
      const late = conversations[8];
      const busy = await call(late.socket, 'message:send', { conversationId: late.conversationId, text: 'me too' });
      expect(busy).toMatchObject({ ok: false, error: { code: 'server_busy', meta: { retryAfterMs: expect.any(Number) } } });
      expect(await chat.db.prisma.turn.count({ where: { conversationId: late.conversationId } })).toBe(0);
      // once replies end, the queue moves: the waiting ones decode, and the late message is taken
      fake.held.splice(0, 4).forEach((h) => h.release());
      await fake.decoding(4);
      await callOk(late.socket, 'message:send', { conversationId: late.conversationId, text: 'me too' });
      fake.held.forEach((h) => h.release());
    } finally {
      fake.restore();
    }
  });
});

describe('a reply whose listeners are gone', () => {
  test('stops when its only socket disconnects', async () => {
    const fake = heldReplies();
    try {
      const socket = await connectFrom(newAddress());
      const { conversationId } = await callOk<Started>(socket, 'conversation:start', {});
      const recorder = recordReplies(socket);
      await callOk(socket, 'message:send', { conversationId, text: 'hello' });
      await recorder.until(() => recorder.all.some((e) => e.event === 'token'), 'the first token');
      const [replyId] = recorder.replies.keys();
      socket.disconnect();
      expect(await storedFinish(replyId)).toBe('cancelled'); // the fake decoder never ends a reply by itself
    } finally {
      fake.restore();
    }
  });

  test('goes on while another socket of the conversation listens', async () => {
    const fake = heldReplies();
    try {
      const address = newAddress();
      const first = await connectFrom(address);
      const started = await callOk<Started>(first, 'conversation:start', {});
      const second = await connectFrom(address); // another tab
      await callOk(second, 'conversation:resume', { conversationId: started.conversationId, resumeToken: started.resumeToken });
      const seen = recordReplies(second);
      await callOk(first, 'message:send', { conversationId: started.conversationId, text: 'hello' });
      await fake.decoding(1);
      const left = listenerLeft(started.conversationId);
      first.disconnect();
      expect(await left).toBe(1); // the second tab
      fake.held[0].release();
      const [end] = await seen.ended(1);
      expect(end.end).toMatchObject({ finishReason: 'eos', text: 'hi' });
    } finally {
      fake.restore();
    }
  });
});

test('abuse from one address (many sockets, the most expensive replies): clear error codes, never a hang; a bystander is answered', async () => {
  const bystander = await connectFrom(newAddress());
  const { conversationId: bystanderConversation } = await callOk<Started>(bystander, 'conversation:start', { decoding: { maxTokens: 8 } });
  // The abuser's replies never end by themselves: whatever the machine's speed, they hold every place they get.
  const fake = heldReplies((conversationId) => conversationId === bystanderConversation);
  try {
    const abuser = newAddress();
    const connected = await Promise.allSettled(Array.from({ length: 40 }, () => connectFrom(abuser)));
    const refusedSockets = connected.filter((c) => c.status === 'rejected').map((c) => (c.reason as { data?: { code?: string } }).data?.code);
    expect(refusedSockets).toEqual(Array(8).fill('too_many_sockets'));
    const abusers = connected.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
    const codes = (acks: { ok: boolean; error?: { code: string } }[]) => acks.map((ack) => (ack.ok ? 'ok' : ack.error!.code));

    const greedy = { decoding: { strategy: 'greedy', beamWidth: 16, maxTokens: 512, ignoreEos: true } };
    const beam = { decoding: { strategy: 'beam', beamWidth: 16, maxTokens: 512, ignoreEos: true } };
    const expensive = await Promise.all(abusers.map((socket, i) => call(socket, 'conversation:start', i % 2 ? beam : greedy)));
    expect(new Set(codes(expensive))).toEqual(new Set(['over_limit']));

    // What the caps allow, from every socket: CHAT_CONVERSATIONS_PER_MINUTE conversations (refused starts did not count)…
    const starts = await Promise.all(abusers.map((socket) => call<Started>(socket, 'conversation:start', { decoding: { maxTokens: 128 } })));
    expect(codes(starts).sort()).toEqual([...Array(20).fill('ok'), ...Array(12).fill('too_many_conversations')]);
    const talking = abusers.flatMap((socket, i) => (starts[i].ok ? [{ socket, conversationId: (starts[i] as Started).conversationId }] : []));
    // … and SERVE_REPLIES_PER_ADDRESS replies at a time
    const sends = await Promise.all(talking.map(({ socket, conversationId }) => call(socket, 'message:send', { conversationId, text: 'give me everything' })));
    expect(codes(sends).sort()).toEqual([...Array(3).fill('ok'), ...Array(17).fill('too_many_replies')]);
    const refusal = sends.find((ack) => !ack.ok)!;
    expect(refusal).toMatchObject({ error: { meta: { max: 3, retryAfterMs: expect.any(Number) } } });
    await fake.decoding(3);

    const replies = recordReplies(bystander);
    await callOk(bystander, 'message:send', { conversationId: bystanderConversation, text: 'hello , how are you ?' });
    const [reply] = await replies.ended(1);
    expect(reply.end).toMatchObject({ conversationId: bystanderConversation, tokens: expect.any(Number) });
    expect(['eos', 'length']).toContain(reply.end!.finishReason);

    // the abuser leaves: its replies stop (nobody listens), nothing keeps decoding for it
    for (const socket of abusers) socket.disconnect();
    await Promise.all(fake.held.map((h) => new Promise((resolve) => (h.signal!.aborted ? resolve(null) : h.signal!.addEventListener('abort', resolve)))));
  } finally {
    fake.restore();
  }
});
