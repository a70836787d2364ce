/**
 * npm run study:latent — which VHRED remedy makes z carry information (issue #10), measured on a corpus where
 * it must: one context ("pick a colour") with four equally right replies that differ only in the colour.
 * Each remedy is a training option of `npm run train`; each row trains the tiny VHRED with the real trainer,
 * then decodes greedy tokens under 30 z drawn from the prior. A collapsed latent gives one reply for every z.
 * Prints a Markdown table, then one JSON line per row.   Flags: --steps N (default 600), --samples N (30), --seeds N (3).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rebuildState, utteranceIds } from '../src/generation/conversation-state';
import { generateReply } from '../src/generation/decode';
import { loadModel } from '../src/models/model-files';
import { initTensorBackend } from '../src/tensor/backend';
import { train } from '../src/training/trainer';
import { trainingOptionsSchema, type TrainingOptionsInput } from '../src/training/training-options';

const COLOURS = ['red', 'blue', 'green', 'yellow'];
const CONTEXT = 'pick a colour';
const COPIES = 50; // 200 dialogues: 50 steps an epoch at batch 4

const linear = { kind: 'linear', steps: 200 } as const;
const REMEDIES: { name: string; options: Partial<TrainingOptionsInput> }[] = [
  { name: 'none (KL weight 1 from the start)', options: { klSchedule: { kind: 'constant', weight: 1 } } },
  { name: 'KL annealing, linear', options: { klSchedule: linear } },
  { name: 'KL annealing, cyclical (4 cycles)', options: { klSchedule: { kind: 'cyclical', steps: 600, cycles: 4, ratio: 0.5 } } },
  { name: 'linear + word drop 0.5', options: { klSchedule: linear, wordDrop: 0.5 } },
  { name: 'linear + utterance drop 0.5', options: { klSchedule: linear, utteranceDrop: 0.5 } },
  { name: 'linear + bag-of-words', options: { klSchedule: linear, bowWeight: 1, model: { bagOfWords: true } } },
  { name: 'linear + free bits 0.5', options: { klSchedule: linear, freeBits: 0.5 } },
  { name: 'linear + word drop + bag-of-words + free bits', options: { klSchedule: linear, wordDrop: 0.5, bowWeight: 1, freeBits: 0.5, model: { bagOfWords: true } } },
  { name: 'the same, fixed prior variance', options: { klSchedule: linear, wordDrop: 0.5, bowWeight: 1, freeBits: 0.5, model: { bagOfWords: true, learnedPrior: false } } },
];

/** One remedy over several seeds: per seed, the last epoch's figures and the kept (best-ELBO) model's replies. */
interface Row {
  remedy: string;
  /** Right replies of 4 (greedy tokens, z from the prior) at the last epoch, and other replies, per seed. */
  right: number[];
  other: number[];
  klPerToken: number[];
  activeUnits: number[];
  reconstructionPerplexity: number[];
  /** The model a run keeps (its best validation ELBO epoch) and its right replies, per seed. */
  keptEpoch: number[];
  keptRight: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { steps: { type: 'string' }, samples: { type: 'string' }, seeds: { type: 'string' } } });
  const steps = Number(values.steps ?? 600);
  const samples = Number(values.samples ?? 30);
  const seeds = Array.from({ length: Number(values.seeds ?? 3) }, (_, i) => i + 1);
  await initTensorBackend(process.env.TF_BACKEND === 'cpu' ? 'cpu' : 'auto');
  const dir = await mkdtemp(path.join(tmpdir(), 'hred-latent-study-'));
  const trainData = path.join(dir, 'colours.jsonl');
  const lines = COLOURS.map((c, i) => JSON.stringify({ id: String(i), turns: [CONTEXT, `i like ${c} .`] }));
  await writeFile(trainData, `${Array.from({ length: COPIES }, () => lines).flat().join('\n')}\n`);
  const rows: Row[] = [];
  try {
    for (const [i, remedy] of REMEDIES.entries()) {
      const row: Row = { remedy: remedy.name, right: [], other: [], klPerToken: [], activeUnits: [], reconstructionPerplexity: [], keptEpoch: [], keptRight: [] };
      for (const seed of seeds) {
        const outDir = path.join(dir, `run-${i}-${seed}`);
        const options = trainingOptionsSchema.parse({
          kind: 'vhred',
          preset: 'tiny',
          trainData,
          outDir,
          seed,
          tokenizer: { vocabSize: 32 },
          batchSize: 4,
          learningRate: 0.01,
          maxEpochs: Math.ceil(steps / COPIES),
          // a study of the latent, not of the learning rate: no early stop, no halving on a plateau
          patience: 1000,
          plateauDecay: 1,
          wordDrop: 0,
          ...remedy.options,
          model: { latentDim: 4, ...(remedy.options.model ?? {}) },
        });
        const result = await train(options);
        const last = result.state.history[result.state.history.length - 1];
        // The model a run keeps is its best-ELBO epoch; the last checkpoint is the end of training. They can differ.
        const final = await distinctReplies(path.join(outDir, 'checkpoints'), samples);
        row.right.push(final.right);
        row.other.push(final.other);
        row.klPerToken.push(last.validationKlPerToken);
        row.activeUnits.push(last.activeUnits ?? 0);
        row.reconstructionPerplexity.push(last.validationReconstructionPerplexity);
        row.keptEpoch.push(result.best!.epoch + 1);
        row.keptRight.push((await distinctReplies(outDir, samples)).right);
      }
      rows.push(row);
      process.stderr.write(`${row.remedy}: right replies of 4 per seed ${row.right.join(', ')} (kept models: ${row.keptRight.join(', ')})\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const epochs = Math.ceil(steps / COPIES);
  const list = (xs: number[], digits = 0) => xs.map((x) => x.toFixed(digits)).join(', ');
  console.log(
    `| remedy (tiny VHRED, z of 4 dims, ${epochs} epochs of ${COPIES} steps; seeds ${seeds.join(', ')}) | right replies of 4 over ${samples} z (other) | KL / token | active units of 4 | reconstruction ppl | kept (best-ELBO) epoch: right replies |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const kept = r.keptEpoch.map((e, k) => `${e}: ${r.keptRight[k]}`).join(', ');
    const figures = [`${list(r.right)} (${list(r.other)})`, list(r.klPerToken, 3), list(r.activeUnits), list(r.reconstructionPerplexity, 2), kept];
    console.log(`| ${r.remedy} | ${figures.join(' | ')} |`);
  }
  for (const r of rows) console.log(JSON.stringify(r));
}

/** Greedy replies to the colour question under `samples` z from the prior: how many of the four right ones, how many others. */
async function distinctReplies(dir: string, samples: number): Promise<{ right: number; other: number }> {
  const { model, tokenizer } = await loadModel(dir);
  try {
    const state = rebuildState(model, [utteranceIds(tokenizer, CONTEXT, model.config)]);
    const right = new Set(COLOURS.map((c) => tokenizer.decode(tokenizer.encode(`i like ${c} .`))));
    const seen = new Set<string>();
    for (let seed = 0; seed < samples; seed++) seen.add((await generateReply(model, tokenizer, state, { strategy: 'greedy', latent: 'sample', seed })).text);
    return { right: [...seen].filter((r) => right.has(r)).length, other: [...seen].filter((r) => !right.has(r)).length };
  } finally {
    model.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
