/**
 * Word2vec (skip-gram, negative sampling) on dialogue JSONL, and nearest-neighbour queries.
 *
 *   npm run word2vec -- train --data <jsonl> --out <file> [--dim 128] [--window 5] [--negative 5]
 *                              [--min-count 5] [--epochs 5] [--sample 1e-3] [--lr 0.025] [--seed 1]
 *   npm run word2vec -- neighbours --vectors <file> --word hello [--k 10]
 *
 * Turns are lower-cased word-and-punctuation tokens (NFKC, lower case, \w+|[^\w\s]); the
 * vectors are written in the plain word2vec text format.
 */
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { readDialogSentences } from '../src/word2vec/dialog-corpus';
import { DEFAULT_WORD2VEC_OPTIONS, trainWord2Vec } from '../src/word2vec/skip-gram';
import { Word2Vec } from '../src/word2vec/word2vec';

const USAGE = `usage:
  npm run word2vec -- train --data <jsonl> --out <file> [--dim 128] [--window 5] [--negative 5] [--min-count 5] [--epochs 5] [--sample 1e-3] [--lr 0.025] [--seed 1]
  npm run word2vec -- neighbours --vectors <file> --word <word> [--k 10]`;

function numberOption(values: Record<string, string | boolean | undefined>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${String(raw)}`);
  return value;
}

function requiredOption(values: Record<string, string | boolean | undefined>, name: string): string {
  const raw = values[name];
  if (typeof raw !== 'string' || raw === '') throw new Error(`--${name} is required\n${USAGE}`);
  return raw;
}

async function train(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(
      ['data', 'out', 'dim', 'window', 'negative', 'min-count', 'epochs', 'sample', 'lr', 'seed'].map((name) => [name, { type: 'string' as const }]),
    ),
  });
  const defaults = DEFAULT_WORD2VEC_OPTIONS;
  const data = requiredOption(values, 'data');
  const out = requiredOption(values, 'out');
  const started = performance.now();
  const sentences = await readDialogSentences(data);
  const tokens = sentences.reduce((sum, s) => sum + s.length, 0);
  console.log(`read ${sentences.length} turns, ${tokens} tokens from ${data}`);

  const bar = new SingleBar({ format: 'word2vec |{bar}| {percentage}% | epoch {epoch} | lr {lr} | ETA {eta_formatted}' }, Presets.shades_classic);
  let barStarted = false;
  // Training blocks the event loop, so cli-progress's timer-driven non-TTY output never fires: log epochs instead.
  const plainLog = !process.stderr.isTTY;
  let loggedEpoch = 0;
  const trainingStarted = performance.now();
  const model = trainWord2Vec(sentences, {
    dim: numberOption(values, 'dim', defaults.dim),
    window: numberOption(values, 'window', defaults.window),
    negative: numberOption(values, 'negative', defaults.negative),
    minCount: numberOption(values, 'min-count', defaults.minCount),
    epochs: numberOption(values, 'epochs', defaults.epochs),
    sample: numberOption(values, 'sample', defaults.sample),
    learningRate: numberOption(values, 'lr', defaults.learningRate),
    seed: numberOption(values, 'seed', defaults.seed),
    onProgress: ({ epoch, wordsProcessed, totalWords, learningRate }) => {
      const payload = { epoch, lr: learningRate.toFixed(5) };
      if (plainLog && epoch !== loggedEpoch) {
        loggedEpoch = epoch;
        console.log(`epoch ${epoch} started after ${((performance.now() - trainingStarted) / 1000).toFixed(1)} s`);
      }
      if (!barStarted) {
        bar.start(totalWords, wordsProcessed, payload);
        barStarted = true;
      } else bar.update(wordsProcessed, payload);
    },
  });
  bar.stop();
  const trainingSeconds = (performance.now() - trainingStarted) / 1000;
  await model.save(out);
  console.log(
    `trained ${model.size} words × ${model.dim} dims in ${trainingSeconds.toFixed(1)} s ` +
      `(total ${((performance.now() - started) / 1000).toFixed(1)} s with reading and writing); wrote ${out}`,
  );
}

async function neighbours(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { vectors: { type: 'string' }, word: { type: 'string' }, k: { type: 'string' } } });
  const model = await Word2Vec.load(requiredOption(values, 'vectors'));
  const word = requiredOption(values, 'word').normalize('NFKC').toLowerCase();
  if (!model.has(word)) throw new Error(`"${word}" is not in the ${model.size}-word vocabulary`);
  for (const { word: neighbour, similarity } of model.nearest(word, numberOption(values, 'k', 10))) {
    console.log(`${similarity.toFixed(4)}  ${neighbour}`);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'train') return train(rest);
  if (command === 'neighbours' || command === 'neighbors') return neighbours(rest);
  throw new Error(USAGE);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
