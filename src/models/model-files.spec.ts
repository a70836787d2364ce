import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'fs';
import * as path from 'path';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { tinyModel } from '../../test/support/tiny-model';
import { tempDir } from '../../test/support/tiny-corpus';
import { SPECIAL_TOKENS, WordTokenizer } from '../tokenization';
import { buildBatch } from './batch';
import { batchLoss } from './loss';
import { DialogueModel } from './dialogue-model';
import { loadModel, ModelFileError, saveModel, toFloat16Bits, WeightStorage } from './model-files';

useTensorBackend();

const dialogues = [
  [[4, 5], [6, 7, 8]],
  [[9], [10, 11]],
];
const lossOf = (model: DialogueModel) =>
  tf.tidy(() => batchLoss(model, buildBatch(dialogues, { maxTurns: 10, maxUtteranceTokens: 30 }), { klWeight: 1, freeBits: 0, bowWeight: 0, seed: 1 }).loss.dataSync()[0]);

async function savedTinyModel(storage: WeightStorage = 'float32'): Promise<{ dir: string; model: DialogueModel }> {
  const dir = await tempDir();
  const model = tinyModel('vhred', 16);
  await saveModel(dir, model, { note: 'test' }, storage);
  await new WordTokenizer([...SPECIAL_TOKENS, ...'abcdefghijkl'], { lowercase: true }).save(dir);
  return { dir, model };
}

describe('model files', () => {
  it('round-trips float32 weights exactly', async () => {
    const { dir, model } = await savedTinyModel();
    const loaded = await loadModel(dir);
    expect(lossOf(loaded.model)).toBe(lossOf(model));
    expect(loaded.summary.note).toBe('test');
    loaded.model.dispose();
    model.dispose();
  });

  it.each([
    ['float16', 2, 1e-3],
    ['uint8', 1, 5e-2],
  ] as const)('stores %s weights in %i byte(s) each and keeps outputs close', async (storage, bytes, tolerance) => {
    const { dir, model } = await savedTinyModel(storage);
    const loaded = await loadModel(dir);
    const size = (await fs.stat(path.join(dir, 'weights.bin'))).size;
    expect(size).toBe(model.params.count() * bytes);
    expect(Math.abs(lossOf(loaded.model) - lossOf(model))).toBeLessThan(tolerance);
    loaded.model.dispose();
    model.dispose();
  });

  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [1e-7, 0x0002], // subnormal
    [0.1, 0x2e66],
  ])('encodes %f as float16 bits %i', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
  });

  it('names the file and the problem when something is missing or corrupt', async () => {
    const { dir, model } = await savedTinyModel();
    model.dispose();
    await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.alloc(10));
    await expect(loadModel(dir)).rejects.toThrow(ModelFileError);
    await expect(loadModel(dir)).rejects.toThrow(/weights.bin: weights do not match the manifest/);
    await fs.writeFile(path.join(dir, 'model.json'), '{not json');
    await expect(loadModel(dir)).rejects.toThrow(/model.json: not valid JSON/);
    await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({ formatVersion: 99 }));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'MODEL_FORMAT_UNSUPPORTED' });
    await expect(loadModel(path.join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'MODEL_FILE_MISSING' });
  });
});
