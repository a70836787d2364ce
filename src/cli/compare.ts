/**
 * npm run compare -- --models <dirA> <dirB> --data <test.jsonl> [--samples 10] [--limit N] [--out <dir>]
 *                    [--vectors <word2vec.txt>] [--temperatures 0.5,1,1.5] [--seed S] [--sequential]
 * Compares two models (HRED vs VHRED, issue #7) and writes report.json, report.md, report.html and
 * replies.jsonl into --out. Runs in this process with a progress bar on a terminal, plain lines otherwise.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import type { ComparisonProgress } from '../evaluation/comparison/model-outputs';
import { writeComparisonFiles } from '../evaluation/comparison/report/write-report';
import { runComparison } from '../evaluation/comparison/run-comparison';
import { type BackendChoice, initTensorBackend } from '../tensor/backend';
import { UsageError } from './cli-errors';

const HELP = `Usage: npm run compare -- --models <modelA> <modelB> --data <test.jsonl> [options]
  --samples N             replies sampled per context (default 10)
  --limit N               only the first N contexts (each turn after the first of a dialogue is one)
  --out <dir>             where the reports go (default comparisons/<date-time>)
  --vectors <file>        word2vec text vectors for the embedding metrics (npm run word2vec -- train ...)
  --temperatures a,b,c    temperatures of the diversity sweep (default 0.5,1,1.5)
  --seed S                seed of every sampled reply and of the bootstrap (default 1)
  --is-samples K          posterior samples of VHRED's importance-sampled perplexity (default 10)
  --resamples B           bootstrap resamples (default 1000)
  --sequential            one model after the other (default with two cores or more: both at once, a thread each)
  --backend <auto|wasm|cpu|node>`;

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got ${raw}`);
  return value;
}

/** `--models a b` is two values after one flag, which parseArgs does not do: take the words that follow it. */
function splitModels(args: string[]): { models: string[]; rest: string[] } {
  const at = args.indexOf('--models');
  if (at < 0) return { models: [], rest: args };
  let end = at + 1;
  while (end < args.length && !args[end].startsWith('--')) end++;
  return { models: args.slice(at + 1, end), rest: [...args.slice(0, at), ...args.slice(end)] };
}

/** A bar on a terminal; plain lines in logs, and while two models report at once (one bar cannot show both). */
function progressReporter(bars: boolean): { report: (p: ComparisonProgress) => void; stop: () => void } {
  const bar = new SingleBar({ format: '{phase} {model} |{bar}| {value}/{total} | {duration_formatted}' }, Presets.shades_classic);
  let current = '';
  let lastPercent = -1;
  const tty = bars && process.stderr.isTTY;
  return {
    report: (p) => {
      const key = `${p.phase} ${p.model ?? ''}`;
      const percent = Math.floor((100 * p.done) / Math.max(1, p.total));
      if (!tty) {
        // cli-progress draws nothing without a terminal: logs get a line per phase and per 25 %.
        if (key !== current || percent >= lastPercent + 25 || (p.done === p.total && percent > lastPercent)) {
          console.log(`${key.trim()}: ${p.done}/${p.total}`);
          lastPercent = percent;
        }
        current = key;
        return;
      }
      if (key !== current) {
        if (current) bar.stop();
        bar.start(p.total, p.done, { phase: p.phase, model: p.model ?? '' });
        current = key;
      } else bar.update(p.done);
    },
    stop: () => tty && current && bar.stop(),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { models, rest } = splitModels(args);
  const { values } = parseArgs({
    args: rest,
    options: {
      help: { type: 'boolean' },
      sequential: { type: 'boolean' },
      ...Object.fromEntries(
        ['data', 'samples', 'limit', 'out', 'vectors', 'temperatures', 'seed', 'is-samples', 'resamples', 'backend'].map((name) => [name, { type: 'string' as const }]),
      ),
    },
  });
  const str = (name: string) => (values as Record<string, string | boolean | undefined>)[name] as string | undefined;
  if (values.help) return console.log(HELP);
  if (models.length !== 2 || !str('data')) {
    console.error(`${models.length !== 2 ? '--models takes exactly two model directories' : '--data is required'}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const temperatures = str('temperatures')?.split(',').map((t) => positiveNumber('temperatures', t.trim())!);
  const out = path.resolve(str('out') ?? path.join('comparisons', new Date().toISOString().replace(/[:.]/g, '-')));
  const backend = await initTensorBackend((str('backend') ?? process.env.TF_BACKEND ?? 'auto') as BackendChoice);
  console.log(`backend ${backend.name}; comparing ${models.join(' vs ')} on ${str('data')}`);

  const parallel = !values.sequential && availableParallelism() > 1;
  const progress = progressReporter(!parallel);
  const result = await runComparison(
    {
      models: [{ dir: models[0] }, { dir: models[1] }],
      data: str('data')!,
      samples: positiveNumber('samples', str('samples')),
      limit: positiveNumber('limit', str('limit')),
      temperatures,
      seed: str('seed') === undefined ? undefined : Number(str('seed')),
      vectors: str('vectors'),
      importanceSamples: positiveNumber('is-samples', str('is-samples')),
      resamples: positiveNumber('resamples', str('resamples')),
      parallel,
    },
    { onProgress: progress.report },
  ).finally(progress.stop);
  const files = await writeComparisonFiles(out, result);
  const { settings, timings } = result.report;
  console.log(`${settings.contexts} contexts × ${settings.samples} samples in ${timings.totalSeconds.toFixed(1)} s; wrote ${files.join(', ')}`);
}

main().catch((error: Error) => {
  console.error(`compare: ${error.message}`);
  process.exitCode = 1;
});
