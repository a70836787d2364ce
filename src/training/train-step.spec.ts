import * as tf from '@tensorflow/tfjs';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { CONTEXT_DIALOGUES } from '../../test/support/tiny-model';
import { buildBatch } from '../models/batch';
import { DialogueModel } from '../models/dialogue-model';
import { MODEL_KINDS } from '../models/model-config';
import { ScaledAdam } from '../tensor/fused-adam';
import { applyGradients, batchGradients } from './train-step';
import { modelConfigOf, stepOptions, TrainingOptionsInput, trainingOptionsSchema } from './training-options';

useTensorBackend();

/** Every documented model option (`model: {...}`) and loss option of a run, one row each; the latent ones are VHRED's. */
const OPTIONS: [string, Partial<TrainingOptionsInput>][] = [
  ['the defaults', {}],
  // Crashed on the first step: the prior's log-variance head got no gradient and clipping squared null.
  ['a fixed prior variance (learnedPrior: false)', { model: { learnedPrior: false } }],
  // Crashed the same way: the bag-of-words head was left out of the loss at weight 0.
  ['a bag-of-words head at bowWeight 0', { model: { bagOfWords: true } }],
  ['a bag-of-words head at bowWeight 1', { model: { bagOfWords: true }, bowWeight: 1 }],
  ['tied embeddings', { model: { tieEmbeddings: true } }],
  ['dropout', { dropout: 0.3 }],
  ['label smoothing', { labelSmoothing: 0.1 }],
  ['word drop', { wordDrop: 0.5 }],
  ['utterance drop', { utteranceDrop: 0.5 }],
  ['free bits', { freeBits: 0.05 }],
  ['a linear KL schedule', { klSchedule: { kind: 'linear', steps: 4 } }],
  ['a cyclical KL schedule', { klSchedule: { kind: 'cyclical', steps: 8, cycles: 2, ratio: 0.5 } }],
  ['a constant KL weight of 0', { klSchedule: { kind: 'constant', weight: 0 } }],
];
const CASES = MODEL_KINDS.flatMap((kind) => OPTIONS.map(([name, options]) => [kind, name, options] as const));
const STEP = 1; // past the linear schedule's weight of 0 at step 0

const LATENT_HEADS = /^(prior|posterior|bow)\./;

describe('one training step for every model kind and option', () => {
  test.each(CASES)('%s with %s: a finite gradient for every parameter; each one the loss weighs moves', (kind, _, extra) => {
    const o = trainingOptionsSchema.parse({ kind, preset: 'tiny', trainData: 'unused', outDir: 'unused', ...extra });
    const config = modelConfigOf(o, 16);
    const model = new DialogueModel(config, 3);
    const { layout, lossOptions } = stepOptions(o, config, STEP);

    // the model makes only the heads its config uses
    const heads = [...model.params.vars.keys()].filter((name) => LATENT_HEADS.test(name));
    const gaussian = (name: string, learnVariance: boolean) => [`${name}.hidden`, `${name}.mean`, ...(learnVariance ? [`${name}.logVar`] : [])];
    const expectedHeads = kind !== 'vhred' ? [] : [...gaussian('prior', config.learnedPrior), ...gaussian('posterior', true), ...(config.bagOfWords ? ['bow.hidden', 'bow.out'] : [])];
    expect(heads).toEqual(expectedHeads.flatMap((h) => [`${h}.w`, `${h}.b`]));

    const { grads, loss } = batchGradients(model, buildBatch(CONTEXT_DIALOGUES, layout), lossOptions);
    expect(Number.isFinite(loss)).toBe(true);
    // A term of weight 0 reaches its parameters as a zero gradient: the bag-of-words head's, and the prior's when the KL weighs nothing.
    const unweighed = (name: string) => (name.startsWith('bow.') && lossOptions.bowWeight === 0) || (name.startsWith('prior.') && lossOptions.klWeight === 0);
    const names = [...model.params.vars.keys()];
    const gradients = grads.map((g) => g.dataSync());
    names.forEach((name, i) => {
      expect([name, gradients[i].every(Number.isFinite)]).toEqual([name, true]);
      expect([name, gradients[i].some((g) => g !== 0)]).toEqual([name, !unweighed(name)]);
    });

    const before = [...model.params.vars.values()].map((v) => v.dataSync().slice());
    const optimizer = new ScaledAdam(0.01);
    expect(Number.isFinite(applyGradients(model, optimizer, grads, o.maxGradNorm))).toBe(true);
    [...model.params.vars.values()].forEach((v, i) => {
      const moved = v.dataSync().some((x, j) => x !== before[i][j]);
      expect([names[i], moved]).toEqual([names[i], !unweighed(names[i])]);
    });
    tf.dispose(grads);
    optimizer.dispose();
    model.dispose();
  });
});

describe(batchGradients.name, () => {
  it('refuses a parameter the loss does not read, by name, rather than leave it without a gradient', () => {
    const model = new DialogueModel(modelConfigOf(trainingOptionsSchema.parse({ kind: 'hred', preset: 'tiny', trainData: 'x', outDir: 'x' }), 16), 3);
    model.params.zeros('stray.w', [2]);
    const { layout, lossOptions } = stepOptions(trainingOptionsSchema.parse({ kind: 'hred', trainData: 'x', outDir: 'x' }), model.config, STEP);
    const before = tf.memory().numTensors;
    expect(() => batchGradients(model, buildBatch(CONTEXT_DIALOGUES, layout), lossOptions)).toThrow(/does not read the parameters stray\.w/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
