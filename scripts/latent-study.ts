/**
 * npm run study:latent — which VHRED remedy makes z carry information (issue #10), measured on a corpus where
 * it must: one context ("pick a colour") with four equally right replies that differ only in the colour.
 * Each remedy is a training option of `npm run train`; each row trains the tiny VHRED with the real trainer,
 * then decodes greedy tokens under 30 z drawn from the prior. A collapsed latent gives one reply for every z.
 * Prints a Markdown table, then one JSON line per row.   Flags: --steps N (default 600), --samples N (30).
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

interface Row {
  remedy: string;
  /** The kept (best validation ELBO) model: its epoch, and its right replies. */
  keptEpoch: number;
  keptRight: number;
  /** The last checkpoint: right and other replies. */
  rightReplies: number;
  otherReplies: number;
  klPerToken: number;
  activeUnits: number;
  reconstructionPerplexity: number;
  seconds: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { steps: { type: 'string' }, samples: { type: 'string' } } });
  const steps = Number(values.steps ?? 600);
  const samples = Number(values.samples ?? 30);
  await initTensorBackend(process.env.TF_BACKEND === 'cpu' ? 'cpu' : 'auto');
  const dir = await mkdtemp(path.join(tmpdir(), 'hred-latent-study-'));
  const trainData = path.join(dir, 'colours.jsonl');
  const lines = COLOURS.map((c, i) => JSON.stringify({ id: String(i), turns: [CONTEXT, `i like ${c} .`] }));
  await writeFile(trainData, `${Array.from({ length: COPIES }, () => lines).flat().join('\n')}\n`);
  const rows: Row[] = [];
  try {
    for (const [i, remedy] of REMEDIES.entries()) {
      const outDir = path.join(dir, `run-${i}`);
      const started = Date.now();
      const options = trainingOptionsSchema.parse({
        kind: 'vhred',
        preset: 'tiny',
        trainData,
        outDir,
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
      const best = result.best!;
      // The model a run keeps is its best-ELBO epoch; the last checkpoint is the end of training. They can differ.
      const [kept, final] = [await distinctReplies(outDir, samples), await distinctReplies(path.join(outDir, 'checkpoints'), samples)];
      const row: Row = {
        remedy: remedy.name,
        keptEpoch: best.epoch + 1,
        keptRight: kept.right,
        rightReplies: final.right,
        otherReplies: final.other,
        klPerToken: last.validationKlPerToken,
        activeUnits: last.activeUnits ?? 0,
        reconstructionPerplexity: last.validationReconstructionPerplexity,
        seconds: (Date.now() - started) / 1000,
      };
      rows.push(row);
      process.stderr.write(`${row.remedy}: ${row.rightReplies} of 4 right replies (kept model: ${row.keptRight})\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const epochs = Math.ceil(steps / COPIES);
  console.log(
    `| remedy (tiny VHRED, z of 4 dims, ${epochs} epochs of ${COPIES} steps) | last epoch: right replies of 4 (other) over ${samples} z | KL / token | active units of 4 | reconstruction ppl | best-ELBO epoch: its right replies |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const figures = [`${r.rightReplies} (${r.otherReplies})`, r.klPerToken.toFixed(3), r.activeUnits, r.reconstructionPerplexity.toFixed(2), `${r.keptEpoch}: ${r.keptRight}`];
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
