/**
 * npm run train -- --model hred|vhred|seq2seq --data <train.jsonl> --out models/<name> [options]
 * Trains in this process with a progress bar; resumes from <out>/checkpoints when present.
 */
import { SingleBar, Presets } from 'cli-progress';
import { parseArgs } from 'node:util';
import { describeBackend, initTensorBackend, BackendChoice } from '../tensor/backend';
import { train } from '../training/trainer';
import { trainingOptionsSchema } from '../training/training-options';
import { formatZodError } from './cli-errors';

const HELP = `Usage: npm run train -- --model <seq2seq|hred|vhred> --data <train.jsonl> --out <dir> [options]
  --validation <file>     validation split (default: the first dialogues of --data)
  --preset <tiny|small>   model size (default small, the benchmark's)
  --base <dir>            fine-tune this model instead of starting afresh
  --embeddings <file>     start the token embeddings from word2vec vectors (npm run word2vec -- train ...)
  --options <json>        any further training option as JSON, e.g. '{"batchSize":32,"klSchedule":{"kind":"cyclical","steps":20000,"cycles":4,"ratio":0.5}}'
  --threads N             data-parallel threads per step (default 1; 2 uses both cores of this machine)
  --max-epochs N  --max-steps N  --max-dialogues N  --lr X  --word-drop X  --free-bits X  --bow X
  --weights <float32|float16|uint8>   storage of the final weights (default float32)
  --backend <auto|wasm|cpu|node>`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      validation: { type: 'string' },
      out: { type: 'string' },
      preset: { type: 'string' },
      base: { type: 'string' },
      embeddings: { type: 'string' },
      threads: { type: 'string' },
      options: { type: 'string' },
      'max-epochs': { type: 'string' },
      'max-steps': { type: 'string' },
      'max-dialogues': { type: 'string' },
      lr: { type: 'string' },
      'word-drop': { type: 'string' },
      'free-bits': { type: 'string' },
      bow: { type: 'string' },
      weights: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const num = (v?: string) => (v === undefined ? undefined : Number(v));
  const parsed = trainingOptionsSchema.safeParse({
    kind: values.model,
    trainData: values.data,
    validationData: values.validation,
    outDir: values.out,
    preset: values.preset,
    baseModelDir: values.base,
    embeddingsFrom: values.embeddings,
    threads: num(values.threads),
    maxEpochs: num(values['max-epochs']),
    maxSteps: num(values['max-steps']),
    maxTrainDialogues: num(values['max-dialogues']),
    learningRate: num(values.lr),
    wordDrop: num(values['word-drop']),
    freeBits: num(values['free-bits']),
    bowWeight: num(values.bow),
    weightStorage: values.weights,
    ...(values.options ? (JSON.parse(values.options) as object) : {}),
  });
  if (!parsed.success) {
    console.error(`${formatZodError(parsed.error)}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const backend = await initTensorBackend((values.backend ?? process.env.TF_BACKEND ?? 'auto') as BackendChoice);
  console.log(`${describeBackend(backend).line}\ntraining ${parsed.data.kind} → ${parsed.data.outDir}`);

  const bar = new SingleBar(
    { format: 'epoch {epoch} |{bar}| {value}/{total} steps | loss {loss} ppl {ppl} kl/tok {kl} | {tps} tok/s | eta {eta_formatted}', etaBuffer: 50 },
    Presets.shades_classic,
  );
  let barEpoch = -1;
  // cli-progress draws nothing without a terminal: logs (nohup, CI) get a plain line per report instead.
  const tty = process.stderr.isTTY;
  const result = await train(parsed.data, {
    reportEvery: tty ? 10 : 50,
    onProgress: (p) => {
      if (p.phase === 'training' && !tty) {
        console.log(
          `epoch ${p.epoch + 1} step ${p.step} loss ${p.loss?.toFixed(3)} ppl ${p.perplexity?.toFixed(1)} ` +
            `kl/tok ${p.klPerToken?.toFixed(4)} ${p.tokensPerSecond?.toFixed(0)} tok/s, epoch eta ${Math.round((p.secondsLeft ?? 0) / 60)} min`,
        );
      } else if (p.phase === 'training') {
        if (barEpoch !== p.epoch) {
          if (barEpoch >= 0) bar.stop();
          bar.start(p.stepsPerEpoch, 0);
          barEpoch = p.epoch;
        }
        bar.update(p.step - p.epoch * p.stepsPerEpoch, {
          epoch: p.epoch + 1,
          loss: p.loss?.toFixed(3),
          ppl: p.perplexity?.toFixed(1),
          kl: p.klPerToken?.toFixed(4),
          tps: p.tokensPerSecond?.toFixed(0),
        });
      } else if (p.message) {
        console.log(p.message);
      }
    },
  });
  bar.stop();
  for (const m of result.state.history) {
    console.log(
      `epoch ${m.epoch + 1}: train ppl ${m.trainPerplexity.toFixed(2)}, validation ppl ${m.validationPerplexity.toFixed(2)}` +
        (m.activeUnits !== undefined ? `, KL/token ${m.validationKlPerToken.toFixed(4)}, active units ${m.activeUnits}` : '') +
        Object.entries(m.validationSets ?? {}).map(([name, p]) => `, ${name} ppl ${p.toFixed(2)}`).join(''),
    );
  }
  const base = result.state.baseValidationPerplexity;
  const sets = Object.entries(result.state.baseValidationSets ?? {}).map(([name, p]) => `, ${name} ${p.toFixed(2)}`);
  if (base !== undefined && !result.best) console.log(`no epoch beat the base model on every validation set (validation ppl ${base.toFixed(2)}${sets.join('')})`);
  console.log(`stopped by ${result.stoppedBy}; best model in ${result.outDir}`);
}

main().catch((err: Error) => {
  console.error(`train: ${err.message}`);
  process.exitCode = 1;
});
