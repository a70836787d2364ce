/** GET /metrics of the whole application: the exposition parses, replies and refusals move it, METRICS and METRICS_PORT. */
import { callOk, type ChatTestApp, connect, recordReplies, call, startChatApp } from '../chat/chat-test-app';
import { freePort } from '../support/free-port';
import { type Exposition, parsePrometheusText } from '../support/prometheus-text';

const scrape = async (url: string): Promise<Exposition> => {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await response.text());
};

describe('GET /metrics on the application port (the default)', () => {
  let chat: ChatTestApp;
  beforeAll(async () => {
    chat = await startChatApp();
  });
  afterAll(async () => {
    await chat?.close();
  });

  test('process metrics, every hred_ family declared, the gauges at rest', async () => {
    const metrics = await scrape(chat.url);
    expect(metrics.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(metrics.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(metrics.types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect([...metrics.types].filter(([name]) => name.startsWith('hred_'))).toEqual(
      expect.arrayContaining([
        ['hred_reply_first_token_seconds', 'histogram'],
        ['hred_reply_duration_seconds', 'histogram'],
        ['hred_generated_tokens_total', 'counter'],
        ['hred_replies_total', 'counter'],
        ['hred_refusals_total', 'counter'],
        ['hred_db_query_duration_seconds', 'histogram'],
        ['hred_replies_active', 'gauge'],
        ['hred_replies_waiting', 'gauge'],
        ['hred_training_runs', 'gauge'],
      ]),
    );
    expect(metrics.value('hred_replies_active')).toBe(0);
    expect(metrics.value('hred_replies_waiting')).toBe(0);
    expect(metrics.value('hred_training_runs', { state: 'running' })).toBe(0);
    // Start-up registered the models and the health checks read the database: statements were timed.
    expect(metrics.value('hred_db_query_duration_seconds_count', { command: 'select' })).toBeGreaterThan(0);
  });

  test('a socket reply and an OpenAI reply each move their own series', async () => {
    const socket = await connect(chat.url);
    try {
      const before = await scrape(chat.url);
      const recorder = recordReplies(socket);
      const { conversationId } = await callOk<{ conversationId: string }>(socket, 'conversation:start', { decoding: { maxTokens: 5, ignoreEos: true } });
      await callOk(socket, 'message:send', { conversationId, text: 'hello there !' });
      const [reply] = await recorder.ended(1);
      const answered = await fetch(`${chat.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'vhred', messages: [{ role: 'user', content: 'hi' }], n: 2, max_tokens: 3, decoding: { ignoreEos: true } }),
      }).then((r) => r.json() as Promise<{ usage: { completion_tokens: number } }>);
      await call(socket, 'no:such:event', {}); // refused: unknown_event
      await fetch(`${chat.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }); // refused: 400
      await fetch(`${chat.url}/no/such/page`); // refused: 404
      const after = await scrape(chat.url);

      const moved = (name: string, labels: Record<string, string>) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
      const socketHred = { kind: 'hred', path: 'socket' };
      const openAiVhred = { kind: 'vhred', path: 'openai' };
      expect(moved('hred_reply_first_token_seconds_count', socketHred)).toBe(1);
      expect(moved('hred_reply_duration_seconds_count', socketHred)).toBe(1);
      expect(moved('hred_generated_tokens_total', socketHred)).toBe(reply.end!.tokens);
      expect(moved('hred_replies_total', { ...socketHred, outcome: 'length' })).toBe(1);
      expect(moved('hred_reply_first_token_seconds_count', openAiVhred)).toBe(2); // n = 2: two replies
      expect(moved('hred_generated_tokens_total', openAiVhred)).toBe(answered.usage.completion_tokens);
      expect(moved('hred_replies_total', { ...openAiVhred, outcome: 'length' })).toBe(2);
      expect(moved('hred_refusals_total', { channel: 'socket', code: 'unknown_event' })).toBe(1);
      expect(moved('hred_refusals_total', { channel: 'http', code: '400' })).toBe(1); // answered by the body parser
      expect(moved('hred_refusals_total', { channel: 'http', code: '404' })).toBe(1);
      expect(moved('hred_db_query_duration_seconds_count', { command: 'insert' })).toBeGreaterThanOrEqual(2); // the user turn and the reply
    } finally {
      socket.disconnect();
    }
  });
});

describe('METRICS=off', () => {
  let chat: ChatTestApp;
  beforeAll(async () => {
    chat = await startChatApp({}, undefined, undefined, { METRICS: 'off' });
  });
  afterAll(async () => {
    await chat?.close();
  });

  test('GET /metrics is not there', async () => {
    expect((await fetch(`${chat.url}/metrics`)).status).toBe(404);
  });
});

describe('METRICS_PORT: a listener of its own', () => {
  let chat: ChatTestApp;
  let metricsUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    chat = await startChatApp({}, undefined, undefined, { METRICS_PORT: String(port), HOST: '127.0.0.1' });
  });
  afterAll(async () => {
    await chat?.close();
  });

  test('serves GET /metrics there and only there', async () => {
    const metrics = await scrape(metricsUrl);
    expect(metrics.types.get('hred_generated_tokens_total')).toBe('counter');
    expect((await fetch(`${chat.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/health`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  test('the listener closes with the application', async () => {
    await chat.close();
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
  });
});
