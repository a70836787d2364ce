/**
 * An end-to-end comparison of two tiny untrained models (HRED vs VHRED) on six dialogues: the report
 * holds every figure for both models and every difference with its interval, and the Markdown and
 * HTML files carry the tables and charts.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeComparisonFiles } from '../../src/evaluation/comparison/report/write-report';
import { runComparison, type ComparisonResult } from '../../src/evaluation/comparison/run-comparison';
import { CORPUS_DECODINGS, PROTOCOL_MODES } from '../../src/evaluation/comparison/decoding-modes';
import { useTensorBackend } from '../support/tensor-backend';
import { tempDir } from '../support/tiny-corpus';
import { writeComparisonFixtures } from './comparison-fixtures';

const FIGURES = ['bleuRecall', 'bleuPrecision', 'bleuF1', 'intraDist1', 'intraDist2', 'interDist1', 'interDist2', 'meanLength', 'embeddingAverage', 'embeddingExtrema', 'embeddingGreedy'];
const SAMPLES = 3;
const LIMIT = 6;

const isInterval = (d: { diff: number; low: number; high: number } | undefined) =>
  d !== undefined && Number.isFinite(d.diff) && d.low <= d.high + 1e-12;

describe('npm run compare (runComparison + report files)', () => {
  useTensorBackend();
  let result: ComparisonResult;
  let out: string;
  let settings: Parameters<typeof runComparison>[0];

  beforeAll(async () => {
    const dir = await tempDir('hred-compare-');
    const fixtures = await writeComparisonFixtures(path.join(dir, 'models'), dir);
    settings = {
      models: [{ dir: fixtures.hred }, { dir: fixtures.vhred }],
      data: fixtures.data,
      samples: SAMPLES,
      limit: LIMIT,
      temperatures: [0.5, 1],
      vectors: fixtures.vectors,
      importanceSamples: 3,
      resamples: 100,
    };
    result = await runComparison(settings);
    out = path.join(dir, 'report');
    await writeComparisonFiles(out, result);
  });

  test('every DialogWAE figure of every decoding mode, for both models, with every difference', () => {
    const { report } = result;
    expect(report.settings.contexts).toBe(LIMIT);
    expect(report.protocols.map((p) => p.mode)).toEqual([...PROTOCOL_MODES]);
    for (const section of report.protocols) {
      for (const figures of section.figures) for (const key of FIGURES) expect(Number.isFinite(figures[key as keyof typeof figures])).toBe(true);
      for (const key of FIGURES) expect(isInterval(section.differences[key])).toBe(true);
    }
  });

  test('corpus figures: perplexities, VHRED latent diagnostics, diversity per decoding, and their differences', () => {
    const { figures, differences } = result.report.corpus;
    const [hred, vhred] = figures;
    expect(hred.perplexity).toBeCloseTo(hred.elboPerplexity, 6); // no z: both exact
    expect(vhred.perplexity).toBeLessThanOrEqual(vhred.elboPerplexity * 1.001);
    // The fixture's VHRED is untrained: its posterior reads the reply and its prior does not, so they differ (KL about
    // 0.2–0.45 nats a reply, well under a nat per dimension); a posterior that collapsed onto the prior gives 0.
    expect(vhred.latentDim).toBe(8);
    expect(vhred.klPerReply).toBeGreaterThan(0.05);
    expect(vhred.klPerReply).toBeLessThan(vhred.latentDim!);
    // Its posterior means barely move between replies (variances 1e-4 to 7e-4 per dimension, against the 0.01 threshold),
    // so no unit is active yet; counting over sampled z (unit variance) or unbounded means would count them all.
    expect(vhred.activeUnits).toBe(0);
    expect(hred.klPerReply).toBeUndefined();
    expect(hred.activeUnits).toBeUndefined();
    for (const decoding of CORPUS_DECODINGS) {
      for (const key of ['distinct1', 'distinct2', 'entropy', 'meanLength']) {
        for (const f of figures) expect(Number.isFinite(f.decodings[decoding][key as 'entropy'])).toBe(true);
        expect(isInterval(differences[`${decoding}.${key}`])).toBe(true);
      }
    }
    expect(isInterval(differences.perplexity)).toBe(true);
    expect(isInterval(differences.elboPerplexity)).toBe(true);
  });

  test('chart data, examples and the five-z table; HRED repeats one greedy reply under every z', () => {
    const { report, replies } = result;
    expect(report.temperatures.map((t) => t.temperature)).toEqual([0.5, 1]);
    for (const counts of report.lengthHistogram.counts) expect(counts.reduce((a, b) => a + b, 0)).toBe(LIMIT * SAMPLES);
    expect(report.byPosition.reduce((n, row) => n + row.contexts, 0)).toBe(LIMIT);
    expect(report.examples.length).toBeGreaterThan(0);
    const [hredZ] = report.latentExamples[0].replies;
    expect(hredZ).toHaveLength(SAMPLES);
    expect(new Set(hredZ).size).toBe(1);
    expect(report.notes.some((n) => n.includes('GloVe'))).toBe(true);
    expect(report.timings.totalSeconds).toBeGreaterThan(0);
    expect(replies).toHaveLength(LIMIT);
    expect(replies[0].replies[1]).toHaveLength(SAMPLES);
  });

  test('the Markdown and HTML files hold the tables and inline SVG charts', async () => {
    const markdown = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
    expect(markdown).toContain('| BLEU F1 |');
    expect(markdown).toContain('### Corpus-level figures');
    expect(markdown).toContain('### Greedy replies under different z');
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html).toContain('Inter-distinct against temperature');
    expect(html).toContain('<table>');
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(JSON.parse(await fs.readFile(path.join(out, 'report.json'), 'utf8')).version).toBe(1);
  });

  test('both models in worker threads at once give the same replies and figures', async () => {
    const progress = new Set<string>();
    const parallel = await runComparison({ ...settings, parallel: true }, { onProgress: (p) => progress.add(`${p.phase} ${p.model ?? ''}`.trim()) });
    expect(parallel.replies).toEqual(result.replies);
    expect(parallel.report.protocols).toEqual(result.report.protocols);
    expect(parallel.report.corpus).toEqual(result.report.corpus);
    expect(progress).toContain('decoding hred:hred');
    expect(progress).toContain('decoding vhred:vhred');
  });

  test('a model whose weights fail to load in its worker rejects the whole comparison, naming the file', async () => {
    const broken = await tempDir('hred-compare-broken-');
    await fs.cp(settings.models[1].dir, broken, { recursive: true });
    await fs.truncate(path.join(broken, 'weights.bin'), 10);
    await expect(runComparison({ ...settings, parallel: true, models: [settings.models[0], { dir: broken }] })).rejects.toThrow(/weights\.bin/);
  });
});
