/**
 * The OpenAI-compatible API driven by the official `openai` npm client, as any OpenAI-style front-end would,
 * against the whole application on 127.0.0.1 (tiny random-weight HRED and VHRED).
 */
import path from 'node:path';
import OpenAI from 'openai';
import { GenerationService, lastEvent } from '../../src/generation';
import { ServingMetrics } from '../../src/metrics/serving-metrics';
import { ModelVersionsService } from '../../src/model-versions/model-versions.service';
import { parseConfig } from '../../src/config';
import { OPENAI_API_OPTIONS, type OpenAiApiOptions } from '../../src/openai-api/openai-api.options';
import { type ChatTestApp, startChatApp } from '../chat/chat-test-app';

/** Replies long enough to act on while they stream (random weights rarely say eos; ignoreEos makes sure). */
const LONG = { strategy: 'greedy' as const, maxTokens: 300, ignoreEos: true };
const KEY = 'test-chat-api-key-0123456789';

let app: ChatTestApp;
let client: OpenAI;
const clientOf = (url: string, apiKey = 'no-key-needed') => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0, timeout: 60_000 });

/** The reply the generation service gives for these turns and settings, for comparison with the API's. */
async function expectedReply(ref: string, turns: string[], decoding: object) {
  const { versionId } = await app.app.get(ModelVersionsService).resolve(ref);
  return lastEvent(app.app.get(GenerationService).reply(versionId, { id: `expected-${Math.random()}`, turns }, decoding));
}

/** A second HRED version (the same files), registered and not activated; returns its id. */
async function registerInactive(on: ChatTestApp): Promise<string> {
  const version = await on.app.get(ModelVersionsService).register(path.join(on.modelsDir, 'hred-tiny'), { kind: 'hred', name: `inactive-${Date.now()}` });
  return version.id;
}

/** Polls `done` (every 50 ms, at most 10 s). */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  app = await startChatApp();
  client = clientOf(app.url);
});
afterAll(async () => {
  await app?.close();
});

describe('GET /v1/models', () => {
  test('lists each kind with an active version, then every version by id; retrieve one', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids.slice(0, 2)).toEqual(['hred', 'vhred']);
    const hredVersion = (await app.app.get(ModelVersionsService).resolve('hred')).versionId;
    expect(page.data[0]).toMatchObject({ id: 'hred', object: 'model', owned_by: 'hred-chat', version_id: hredVersion });
    expect(page.data).toContainEqual(expect.objectContaining({ id: hredVersion, kind: 'hred', active: true }));
    expect(await client.models.retrieve('vhred')).toMatchObject({ id: 'vhred', kind: 'vhred' });
    await expect(client.models.retrieve('gpt-4o')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  test('a version that is not active is neither listed nor served (CHAT_INACTIVE_VERSIONS unset)', async () => {
    const inactive = await registerInactive(app);
    expect((await client.models.list()).data.map((m) => m.id)).not.toContain(inactive);
    const ask = client.chat.completions.create({ model: inactive.toUpperCase(), messages: [{ role: 'user', content: 'hi' }] });
    await expect(ask).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });
});

describe('POST /v1/chat/completions', () => {
  test('a whole reply answers the last message; system messages are not read; usage counts the tokens', async () => {
    const turns = ['hello there !', 'hi , how are you ?', 'fine thanks , and you ?'];
    const completion = await client.chat.completions.create({
      model: 'hred',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: turns[0] },
        { role: 'assistant', content: turns[1] },
        { role: 'user', content: [{ type: 'text', text: turns[2] }] },
      ],
      max_tokens: 8,
      seed: 5,
    });
    const expected = await expectedReply('hred', turns, { strategy: 'greedy', maxTokens: 8, seed: 5 });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      id: expect.stringMatching(/^chatcmpl-/),
      model: (await app.app.get(ModelVersionsService).resolve('hred')).versionId,
      choices: [{ index: 0, message: { role: 'assistant', content: expected.text }, finish_reason: expected.finishReason === 'eos' ? 'stop' : 'length' }],
    });
    expect(completion.usage).toMatchObject({ completion_tokens: expected.ids.length });
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(3); // three turns, each with at least its end token
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + expected.ids.length);
  });

  test('streamed: a role chunk, content deltas, a finish chunk, the usage chunk, then [DONE]', async () => {
    const messages = [{ role: 'user' as const, content: 'what time is it ?' }];
    const stream = await client.chat.completions.create({ model: 'hred', messages, stream: true, stream_options: { include_usage: true }, seed: 9 });
    const received: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) received.push(chunk);
    expect(received[0]).toMatchObject({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null });
    const content = received.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? '')).join('');
    const whole = await client.chat.completions.create({ model: 'hred', messages, seed: 9 });
    expect(content).toBe(whole.choices[0].message.content);
    const finish = received.filter((c) => c.choices[0]?.finish_reason);
    expect(finish).toHaveLength(1);
    expect(finish[0].choices[0].finish_reason).toBe(whole.choices[0].finish_reason);
    expect(received.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: whole.usage!.completion_tokens } });
    expect(new Set(received.map((c) => c.id)).size).toBe(1);

    // The wire itself, as the client reads it.
    const raw = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hred', messages, stream: true, max_tokens: 3 }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await raw.text()).split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events.at(-2)!.slice(6))).not.toHaveProperty('usage'); // no include_usage, no usage field
  });

  test('n > 1 with VHRED: n choices, each its own z (greedy tokens), repeatable with a seed', async () => {
    const turns = ['do you like tea ?'];
    const completion = await client.chat.completions.create({ model: 'vhred', messages: [{ role: 'user', content: turns[0] }], n: 3, seed: 100, max_tokens: 10 });
    expect(completion.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    const expected = await Promise.all([0, 1, 2].map((i) => expectedReply('vhred', turns, { strategy: 'greedy', maxTokens: 10, seed: 100 + i })));
    expect(completion.choices.map((c) => c.message.content)).toEqual(expected.map((e) => e.text));
    expect(new Set(expected.map((e) => e.text)).size).toBeGreaterThan(1); // z makes them differ
    expect(completion.usage!.completion_tokens).toBe(expected.reduce((n, e) => n + e.ids.length, 0));
  });

  test('n > 1 with HRED, streamed: sampled choices interleave by index; beam search gives its n best', async () => {
    const messages = [{ role: 'user' as const, content: 'hello there !' }];
    const stream = await client.chat.completions.create({ model: 'hred', messages, n: 2, stream: true, seed: 3, max_tokens: 6 });
    const texts = ['', ''];
    const finished: (string | null)[] = [null, null];
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        texts[c.index] += c.delta.content ?? '';
        finished[c.index] ??= c.finish_reason ?? null;
      }
    }
    const expected = await Promise.all([0, 1].map((i) => expectedReply('hred', ['hello there !'], { strategy: 'sample', maxTokens: 6, seed: 3 + i })));
    expect(texts).toEqual(expected.map((e) => e.text));
    expect(finished.every((f) => f === 'stop' || f === 'length')).toBe(true);

    const beam = await client.chat.completions.create({ model: 'hred', messages, n: 3, max_tokens: 6, decoding: { strategy: 'beam', beamWidth: 4 } } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const searched = await expectedReply('hred', ['hello there !'], { strategy: 'beam', beamWidth: 4, nBest: 3, maxTokens: 6 });
    expect(beam.choices.map((c) => c.message.content)).toEqual(searched.hypotheses!.map((h) => h.text));
  });

  test('a growing conversation: the second request reads only its new turns (the rest is cached)', async () => {
    const first = await client.chat.completions.create({ model: 'hred', messages: [{ role: 'user', content: 'where is the station ?' }], max_tokens: 5 });
    expect(first.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
    const second = await client.chat.completions.create({
      model: 'hred',
      messages: [
        { role: 'user', content: 'where is the station ?' },
        first.choices[0].message,
        { role: 'user', content: 'thanks a lot .' },
      ],
      max_tokens: 5,
    });
    // The state after the first request's turn is cached; the reply and the new turn are encoded.
    expect(second.usage!.prompt_tokens_details!.cached_tokens).toBe(first.usage!.prompt_tokens);
    expect(second.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens);
  });

  test('a client that disconnects mid-stream cancels its reply', async () => {
    const replies = () => app.app.get(ServingMetrics).registry.getSingleMetric('hred_replies_total')!.get();
    const cancelled = async () => (await replies()).values.find((v) => v.labels.path === 'openai' && v.labels.outcome === 'cancelled')?.value ?? 0;
    const before = await cancelled();
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'hred', messages: [{ role: 'user', content: 'good morning .' }], stream: true, max_tokens: 300, decoding: { ignoreEos: true } } as OpenAI.ChatCompletionCreateParamsStreaming,
      { signal: controller.signal },
    );
    let contentChunks = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++contentChunks === 2) controller.abort(); // the client ends the loop quietly
    }
    await until(async () => (await cancelled()) > before, 'the reply to be cancelled');
    expect(await cancelled()).toBe(before + 1);
    expect(app.app.get(GenerationService).load()).toEqual({ active: 0, waiting: 0 });
  });

  describe('errors in OpenAI shape', () => {
    test.each([
      ['an unknown model', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, 404, { code: 'model_not_found', param: 'model', type: 'invalid_request_error' }],
      ['no messages', { model: 'hred', messages: [] }, 400, { code: 'empty_array', param: 'messages' }],
      ['system messages only', { model: 'hred', messages: [{ role: 'system', content: 'be nice' }] }, 400, { param: 'messages' }],
      ['an empty user message', { model: 'hred', messages: [{ role: 'user', content: '  ' }] }, 400, { param: 'messages[0].content' }],
      ['a misspelt field', { model: 'hred', messages: [{ role: 'user', content: 'hi' }], max_token: 5 }, 400, { param: 'max_token', code: 'unknown_parameter' }],
      ['a feature these models lack', { model: 'hred', messages: [{ role: 'user', content: 'hi' }], frequency_penalty: 0.5 }, 400, { param: 'frequency_penalty' }],
      ['a bad decoding option', { model: 'hred', messages: [{ role: 'user', content: 'hi' }], decoding: { strategy: 'nucleus' } }, 400, { param: 'decoding.strategy' }],
    ])('%s', async (_, body, status, error) => {
      const thrown = await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(OpenAI.APIError);
      expect(thrown).toMatchObject({ status, ...error });
      expect((thrown as InstanceType<typeof OpenAI.APIError>).error).toEqual({ message: expect.any(String), type: expect.any(String), param: expect.anything(), code: expect.anything() });
    });

    test('a body that is not JSON is a 400 in the same shape', async () => {
      const response = await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: null } });
    });
  });
});

describe('API keys, the busy answer and stored exchanges', () => {
  let keyed: ChatTestApp;
  const options: OpenAiApiOptions = {
    apiKeys: [KEY, 'another-chat-api-key-0123456789'],
    maxMessageChars: 1000,
    maxConversationTurns: 1000,
    inactiveVersions: true,
    decodingCaps: { maxTokens: 512, beamWidth: 16, candidates: 32, ignoreEos: true },
    trustedProxies: new Set(),
    storeConversations: true,
    defaultDecoding: { strategy: 'greedy' },
  };
  /** Room for one request of two replies, and none waiting: the next request is refused. */
  const serving = { SERVE_MAX_ROWS: '2', SERVE_MAX_QUEUED: '0' };
  beforeAll(async () => {
    keyed = await startChatApp({}, undefined, undefined, serving, [[OPENAI_API_OPTIONS, options]]);
  });
  afterAll(async () => {
    await keyed?.close();
  });

  test('without a key or with a wrong one: 401; with a configured key: served', async () => {
    const ask = (apiKey: string) => clientOf(keyed.url, apiKey).chat.completions.create({ model: 'hred', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
    await expect(ask('wrong-key-0123456789abcdef')).rejects.toMatchObject({ status: 401, code: 'invalid_api_key', type: 'authentication_error' });
    const bare = await fetch(`${keyed.url}/v1/models`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expect(ask(KEY)).resolves.toMatchObject({ object: 'chat.completion' });
    await expect(clientOf(keyed.url, options.apiKeys[1]).models.list()).resolves.toBeDefined();
  });

  test('CHAT_INACTIVE_VERSIONS=true: any registered version is listed and served', async () => {
    const inactive = await registerInactive(keyed);
    const authorized = clientOf(keyed.url, KEY);
    expect((await authorized.models.list()).data).toContainEqual(expect.objectContaining({ id: inactive, active: false }));
    await expect(authorized.chat.completions.create({ model: inactive, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 })).resolves.toMatchObject({ model: inactive });
  });

  test('a busy service answers 429 with Retry-After', async () => {
    expect(parseConfig({}).serving.maxQueued).toBeGreaterThan(Number(serving.SERVE_MAX_QUEUED)); // the default is far above this test's
    const authorized = clientOf(keyed.url, KEY);
    const busy = await authorized.chat.completions.create({
      model: 'hred', messages: [{ role: 'user', content: 'hi' }], n: 2, stream: true, decoding: LONG,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const iterator = busy[Symbol.asyncIterator]();
    await iterator.next(); // the replies are decoding
    const refused = await authorized.chat.completions.create({ model: 'hred', messages: [{ role: 'user', content: 'me too' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ status: 429, code: 'server_busy' });
    expect((refused as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('1');
    busy.controller.abort();
    await until(() => keyed.app.get(GenerationService).load().active === 0, 'the aborted replies to stop');
  });

  test('with storage on, a growing conversation is stored once, with the replies it was given', async () => {
    const authorized = clientOf(keyed.url, KEY);
    const user = (content: string) => ({ role: 'user' as const, content });
    const first = await authorized.chat.completions.create({ model: 'hred', messages: [{ role: 'system', content: 'ignored' }, user('can i help you ?')], max_tokens: 4 });
    const reply1 = first.choices[0].message;
    const second = await authorized.chat.completions.create({ model: 'hred', messages: [user('can i help you ?'), reply1, user('i want a coffee .')], max_tokens: 4 });
    const conversations = await keyed.db.prisma.conversation.findMany({ include: { turns: { orderBy: { index: 'asc' } } } });
    const stored = conversations.find((c) => c.turns[0]?.text === 'can i help you ?');
    expect(stored?.turns.map((t) => [t.speaker, t.text])).toEqual([
      ['user', 'can i help you ?'],
      ['bot', reply1.content],
      ['user', 'i want a coffee .'],
      ['bot', second.choices[0].message.content],
    ]);
    expect(stored?.turns[1]).toMatchObject({ replyId: `${first.id}-0`, modelVersionId: first.model, tokenCount: first.usage!.completion_tokens });
    expect(conversations.filter((c) => c.turns[0]?.text === 'can i help you ?')).toHaveLength(1);
  });

  test('a shutdown mid-stream ends the stream with an error the client raises, and the server closes', async () => {
    const stream = await clientOf(keyed.url, KEY).chat.completions.create({
      model: 'hred', messages: [{ role: 'user', content: 'hi' }], stream: true, decoding: LONG,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const read = (async () => {
      let closing: Promise<void> | undefined;
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) closing ??= keyed.close();
      return closing;
    })();
    await expect(read).rejects.toMatchObject({ error: { type: 'server_error', code: 'shutting_down' } });
    await keyed.close(); // resolves: no open stream holds the server
  });
});
