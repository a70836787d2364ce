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
import { createHash } from 'node:crypto';
import { loadModel, ModelFileError, readModelFile, recordChecksums, saveModel, toFloat16Bits, WeightStorage } from './model-files';

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
    await expect(loadModel(dir)).rejects.toThrow(/weights.bin: sha256 [0-9a-f]{12}… does not match/);
    await fs.writeFile(path.join(dir, 'model.json'), '{not json');
    await expect(loadModel(dir)).rejects.toThrow(/model.json: not valid JSON/);
    await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({ formatVersion: 99 }));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'MODEL_FORMAT_UNSUPPORTED' });
    await expect(loadModel(path.join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'MODEL_FILE_MISSING' });
  });

  // Issue 22: weights.bin replaced by random bytes of the right size loaded, was activated and served noise.
  describe('checksums', () => {
    const sha256 = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

    it('records the sha256 of the weights in model.json and verifies it at load', async () => {
      const { dir, model } = await savedTinyModel();
      model.dispose();
      const file = await readModelFile(dir);
      expect(file.formatVersion).toBe(2);
      expect(file.sha256).toEqual({ 'weights.bin': await sha256(path.join(dir, 'weights.bin')) });
      const loaded = await loadModel(dir);
      expect(loaded.verified).toBe(true);
      loaded.model.dispose();
    });

    it('refuses weights of the right size whose bytes changed, naming the file', async () => {
      const { dir, model } = await savedTinyModel();
      model.dispose();
      const weights = path.join(dir, 'weights.bin');
      const bytes = await fs.readFile(weights);
      bytes[bytes.length >> 1] ^= 0xff; // one byte flipped: still a valid manifest, every size right
      await fs.writeFile(weights, bytes);
      await expect(loadModel(dir)).rejects.toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH', file: weights });
      await expect(loadModel(dir)).rejects.toThrow(`${weights}: sha256`);
    });

    it('a format-2 model.json without the checksum is corrupt', async () => {
      const { dir, model } = await savedTinyModel();
      model.dispose();
      const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
      delete json.sha256;
      await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      await expect(loadModel(dir)).rejects.toThrow(/model.json: no sha256 recorded for weights.bin/);
    });

    it('loads an older format-1 model (no checksums) unverified; recordChecksums upgrades it, weights untouched', async () => {
      const { dir, model } = await savedTinyModel('uint8');
      const modelJson = path.join(dir, 'model.json');
      const { sha256: _, ...current } = JSON.parse(await fs.readFile(modelJson, 'utf8'));
      await fs.writeFile(modelJson, JSON.stringify({ ...current, formatVersion: 1 }));
      const weightsBefore = await fs.readFile(path.join(dir, 'weights.bin'));
      const old = await loadModel(dir);
      expect(old.verified).toBe(false);
      const lossBefore = lossOf(old.model);
      old.model.dispose();

      expect(await recordChecksums(dir)).toEqual({ formatVersion: { from: 1, to: 2 }, sha256: { 'weights.bin': await sha256(path.join(dir, 'weights.bin')) } });
      expect(await fs.readFile(path.join(dir, 'weights.bin'))).toEqual(weightsBefore);
      const upgraded = await loadModel(dir);
      expect(upgraded.verified).toBe(true);
      expect(lossOf(upgraded.model)).toBe(lossBefore);
      expect(JSON.parse(await fs.readFile(modelJson, 'utf8'))).toMatchObject({ config: current.config, weights: current.weights, summary: current.summary });
      upgraded.model.dispose();
      model.dispose();
    });

    it.each(['hred-dailydialog', 'vhred-dailydialog'])('the shipped model %s carries the checksum of its weights', async (name) => {
      const dir = path.join(__dirname, '..', '..', 'models', name);
      const file = await readModelFile(dir);
      expect(file.formatVersion).toBe(2);
      expect(file.sha256?.['weights.bin']).toBe(await sha256(path.join(dir, 'weights.bin')));
    });

    it('recordChecksums will not bless weights that do not match their manifest', async () => {
      const { dir, model } = await savedTinyModel();
      model.dispose();
      await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.alloc(10));
      await expect(recordChecksums(dir)).rejects.toThrow(/weights.bin: weights do not match the manifest/);
    });
  });
});
