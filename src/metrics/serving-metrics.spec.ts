import { parsePrometheusText } from '../../test/support/prometheus-text';
import { type MetricSources, ServingMetrics, sqlCommand } from './serving-metrics';

const sources = (overrides: Partial<MetricSources> = {}): MetricSources => ({
  replyLoad: () => ({ active: 3, waiting: 1 }),
  trainingRunsByStatus: async () => ({ running: 1, succeeded: 4 }),
  ...overrides,
});
const scrape = async (metrics: ServingMetrics) => parsePrometheusText((await metrics.exposition()).body);

describe(ServingMetrics.name, () => {
  test('a reply: first token once, every token, its duration and outcome, timed from the request', async () => {
    const sut = new ServingMetrics(sources());
    const timer = sut.startReply('socket', 'hred', 1000);
    timer.token(1050);
    timer.token(1060);
    timer.end('eos', 1200);
    timer.end('error', 1300); // a second end (e.g. an error after the end event) is not counted
    const labels = { kind: 'hred', path: 'socket' };
    const text = await scrape(sut);
    expect(text.value('hred_reply_first_token_seconds_count', labels)).toBe(1);
    expect(text.value('hred_reply_first_token_seconds_sum', labels)).toBeCloseTo(0.05, 9);
    expect(text.value('hred_reply_first_token_seconds_bucket', { ...labels, le: '0.05' })).toBe(1);
    expect(text.value('hred_reply_first_token_seconds_bucket', { ...labels, le: '0.025' })).toBe(0);
    expect(text.value('hred_reply_duration_seconds_sum', labels)).toBeCloseTo(0.2, 9);
    expect(text.value('hred_generated_tokens_total', labels)).toBe(2);
    expect(text.value('hred_replies_total', { ...labels, outcome: 'eos' })).toBe(1);
    expect(text.value('hred_replies_total', { ...labels, outcome: 'error' })).toBeUndefined();
  });

  test('refusals by channel and code; database statements by command, in seconds', async () => {
    const sut = new ServingMetrics(sources());
    sut.refused('socket', 'rate_limited');
    sut.refused('socket', 'rate_limited');
    sut.refused('http', '404');
    sut.queryRan('SELECT "public"."turns"."id" FROM "public"."turns"', 2);
    sut.queryRan('INSERT INTO "public"."turns" ("id") VALUES ($1)', 0.5);
    const text = await scrape(sut);
    expect(text.value('hred_refusals_total', { channel: 'socket', code: 'rate_limited' })).toBe(2);
    expect(text.value('hred_refusals_total', { channel: 'http', code: '404' })).toBe(1);
    expect(text.value('hred_db_query_duration_seconds_sum', { command: 'select' })).toBeCloseTo(0.002, 9);
    expect(text.value('hred_db_query_duration_seconds_count', { command: 'insert' })).toBe(1);
  });

  test('gauges read their sources at scrape time; training runs list every state', async () => {
    let active = 3;
    const text = await scrape(new ServingMetrics(sources({ replyLoad: () => ({ active: active++, waiting: 1 }) })));
    expect(text.value('hred_replies_active')).toBe(3);
    expect(text.value('hred_replies_waiting')).toBe(1);
    expect(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'].map((state) => text.value('hred_training_runs', { state }))).toEqual([0, 1, 4, 0, 0, 0]);
  });

  test('a source that fails leaves its gauge out of the scrape, and says so', async () => {
    const errors: string[] = [];
    const sut = new ServingMetrics(
      sources({ trainingRunsByStatus: () => Promise.reject(new Error('database down')), onCollectError: (metric, error) => errors.push(`${metric}: ${(error as Error).message}`) }),
    );
    const text = await scrape(sut);
    expect(text.samples.filter((s) => s.name === 'hred_training_runs')).toEqual([]);
    expect(text.value('hred_replies_active')).toBe(3);
    expect(errors).toEqual(['hred_training_runs: database down']);
  });
});

describe(sqlCommand.name, () => {
  test.each([
    ['SELECT 1', 'select'],
    ['  insert into x values (1)', 'insert'],
    ['UPDATE "public"."turns" SET', 'update'],
    ['/* traceparent */ DELETE FROM x', 'delete'],
    ['-- a comment\nBEGIN', 'begin'],
    ['-- Implicit "COMMIT" query via underlying driver', 'other'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'other'],
  ])('%j → %s', (sql, command) => {
    expect(sqlCommand(sql)).toBe(command);
  });
});

describe(parsePrometheusText.name, () => {
  test.each([
    ['a sample of an undeclared family', 'x_total 1\n'],
    ['a bad value', '# TYPE x gauge\nx one\n'],
    ['broken labels', '# TYPE x gauge\nx{a="1",b=2} 1\n'],
    ['no final newline', '# TYPE x gauge\nx 1'],
    ['a +Inf bucket that differs from the count', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
  ])('refuses %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
