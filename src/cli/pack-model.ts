/**
 * npm run model:pack -- --from runs/<run>/ --to models/<name> [--weights float16|uint8|float32] [--license "..."]
 * Copies a trained model into a shippable folder with smaller weights, and reports the size and how
 * much the validation perplexity moved (given --validation), so a lossy choice is a measured one.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel, saveModel, updateSummary, WeightStorage, WEIGHTS_FILE } from '../models/model-files';
import { BackendChoice, initTensorBackend } from '../tensor/backend';
import { scoreDialogues } from '../training/evaluate-loss';
import { loadDialogueIds } from '../training/training-data';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      weights: { type: 'string', default: 'float16' },
      validation: { type: 'string' },
      'max-dialogues': { type: 'string', default: '500' },
      license: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  if (!values.from || !values.to || !['float32', 'float16', 'uint8'].includes(values.weights!)) {
    console.error('Usage: npm run model:pack -- --from <model dir> --to <dir> [--weights float16|uint8|float32] [--validation <jsonl>] [--license <text>]');
    process.exitCode = 2;
    return;
  }
  await initTensorBackend((values.backend ?? process.env.TF_BACKEND ?? 'auto') as BackendChoice);
  const source = await loadModel(values.from);
  const { dialogues } = values.validation
    ? await loadDialogueIds(values.validation, source.tokenizer, Number(values['max-dialogues']))
    : { dialogues: [] };
  const before = dialogues.length ? scoreDialogues(source.model, dialogues).perplexity : undefined;
  const summary = {
    ...source.summary,
    packedFrom: path.basename(path.resolve(values.from)),
    weightStorage: values.weights,
    ...(values.license ? { license: values.license } : {}),
  };
  await saveModel(values.to, source.model, summary, values.weights as WeightStorage);
  await source.tokenizer.save(values.to);
  const size = (await fs.stat(path.join(values.to, WEIGHTS_FILE))).size;
  console.log(`${values.to}: ${(size / 1e6).toFixed(2)} MB of ${values.weights} weights`);
  if (before !== undefined) {
    const packed = await loadModel(values.to);
    const after = scoreDialogues(packed.model, dialogues).perplexity;
    packed.model.dispose();
    console.log(`validation perplexity (${dialogues.length} dialogues): ${before.toFixed(3)} → ${after.toFixed(3)}`);
    // The packed model's own figure, as measured, goes into its summary.
    await updateSummary(values.to, { validationPerplexity: Number(after.toFixed(3)), validationDialogues: dialogues.length });
  }
  source.model.dispose();
}

main().catch((err: Error) => {
  console.error(`model:pack: ${err.message}`);
  process.exitCode = 1;
});
