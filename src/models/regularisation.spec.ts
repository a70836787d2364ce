import * as tf from '@tensorflow/tfjs';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { CONTEXT_DIALOGUES, fit, tinyModel } from '../../test/support/tiny-model';
import { scoreDialogues } from '../training/evaluate-loss';
import { buildBatch, DialogueIds } from './batch';
import { DialogueModel } from './dialogue-model';
import { dropoutOf, noDropout } from './layers/dropout';
import { batchLoss, LossOptions, uniformCrossEntropy } from './loss';

useTensorBackend();

const LAYOUT = { maxTurns: 10, maxUtteranceTokens: 30 };
const PLAIN: LossOptions = { klWeight: 1, freeBits: 0, bowWeight: 0, seed: 5 };
const lossTerms = (model: DialogueModel, dialogues: DialogueIds[], opts: Partial<LossOptions> = {}) =>
  tf.tidy(() => {
    const t = batchLoss(model, buildBatch(dialogues, LAYOUT), { ...PLAIN, ...opts });
    return { loss: t.loss.dataSync()[0], nll: t.nll.dataSync()[0] };
  });

/** d loss / d v at v's entry with the largest gradient, analytic and by central differences. */
function gradientAtLargest(model: DialogueModel, name: string, opts: Partial<LossOptions>): { analytic: number; numeric: number } {
  const v = model.params.get(name);
  const batch = buildBatch(CONTEXT_DIALOGUES, LAYOUT);
  const loss = () => batchLoss(model, batch, { ...PLAIN, ...opts }).loss;
  const { grads } = tf.variableGrads(loss, [v]);
  const g = Array.from(grads[v.name].dataSync());
  tf.dispose(Object.values(grads));
  const i = g.reduce((best, x, j) => (Math.abs(x) > Math.abs(g[best]) ? j : best), 0);
  const original = Float32Array.from(v.dataSync());
  const at = (delta: number) => {
    const values = original.slice();
    values[i] += delta;
    v.assign(tf.tensor(values, v.shape));
    return tf.tidy(() => loss().dataSync()[0]);
  };
  const eps = 1e-2;
  const numeric = (at(eps) - at(-eps)) / (2 * eps);
  v.assign(tf.tensor(original, v.shape));
  return { analytic: g[i], numeric };
}

describe('dropout', () => {
  it('is the identity at rate 0 and refuses a rate outside [0, 1)', () => {
    expect(dropoutOf(0, 1)).toBe(noDropout);
    expect(() => dropoutOf(1, 1)).toThrow(RangeError);
    expect(() => dropoutOf(-0.1, 1)).toThrow(RangeError);
  });

  it('zeroes about `rate` of the entries and scales the rest by 1 / (1 − rate); a seed repeats its mask', () => {
    const x = tf.ones([100, 100]);
    const once = dropoutOf(0.25, 9)(x).dataSync();
    const again = dropoutOf(0.25, 9)(x).dataSync();
    const zeros = once.filter((v) => v === 0).length / once.length;
    expect(zeros).toBeGreaterThan(0.22);
    expect(zeros).toBeLessThan(0.28);
    expect(new Set(once)).toEqual(new Set([0, expect.closeTo(4 / 3, 5) as never]));
    expect(Array.from(again)).toEqual(Array.from(once));
    // the next call of one dropout draws a new mask
    const drop = dropoutOf(0.25, 9);
    drop(x);
    expect(Array.from(drop(x).dataSync())).not.toEqual(Array.from(once));
  });

  it('changes the training loss but never the figures of scoring (off at inference)', () => {
    const model = tinyModel('hred');
    const plain = lossTerms(model, CONTEXT_DIALOGUES);
    expect(lossTerms(model, CONTEXT_DIALOGUES, { dropout: 0.5 }).nll).not.toBeCloseTo(plain.nll, 3);
    const score = scoreDialogues(model, CONTEXT_DIALOGUES);
    expect(score.nll).toBeCloseTo(plain.nll, 4);
    expect(scoreDialogues(model, CONTEXT_DIALOGUES).nll).toBe(score.nll);
    model.dispose();
  });

  it.each(['hred', 'vhred'] as const)('%s: gradients with dropout match finite differences (a seed fixes the masks)', (kind) => {
    const model = tinyModel(kind);
    for (const name of ['embedding', 'encoder.forward.wx', 'context.wx', 'decoder.output.w']) {
      const { analytic, numeric } = gradientAtLargest(model, name, { dropout: 0.3 });
      expect({ name, analytic }).toEqual({ name, analytic: expect.closeTo(numeric, Math.max(2e-3, Math.abs(numeric) * 0.05) as never) });
    }
    model.dispose();
  });
});

describe('label smoothing', () => {
  it('uniform cross-entropy is logsumexp − mean per row (hand values)', () => {
    // row 1: log(e^0 + e^ln2) − ln2 / 2 = ln 3 − ln 2 / 2; row 2: equal logits, log 2 − 0
    const logits = tf.tensor2d([
      [0, Math.log(2)],
      [5, 5],
    ]);
    expect(uniformCrossEntropy(logits).dataSync()[0]).toBeCloseTo(Math.log(3) - Math.log(2) / 2 + Math.log(2), 5);
  });

  it('mixes the likelihood and the uniform term linearly, and leaves the reported NLL alone', () => {
    const model = tinyModel('hred');
    const at = (labelSmoothing: number) => lossTerms(model, CONTEXT_DIALOGUES, { labelSmoothing });
    const [none, half, full] = [at(0), at(0.5), at(0.999999)];
    expect(half.loss).toBeCloseTo((none.loss + full.loss) / 2, 4);
    expect(half.nll).toBe(none.nll);
    expect(full.loss).toBeGreaterThan(none.loss); // a model far from uniform pays for it
    model.dispose();
  });

  it('gradients match finite differences', () => {
    const model = tinyModel('vhred');
    const { analytic, numeric } = gradientAtLargest(model, 'decoder.output.w', { labelSmoothing: 0.2 });
    expect(analytic).toBeCloseTo(numeric, 2);
    model.dispose();
  });
});

describe('tied output embedding', () => {
  const tied = (kind: 'hred' | 'vhred' = 'hred') => tinyModel(kind, 16, 3, { tieEmbeddings: true });

  it('replaces the [A, V] output matrix by an [A, E] projection onto the embedding and a bias', () => {
    const untied = tinyModel('hred');
    const model = tied();
    const names = [...model.params.vars.keys()];
    expect(names).not.toContain('decoder.output.w');
    expect(names).toEqual(expect.arrayContaining(['decoder.output.projection.w', 'decoder.output.projection.b', 'decoder.output.bias']));
    const { attentionUnits: A, embeddingDim: E, vocabSize: V } = model.config;
    expect(untied.params.count() - model.params.count()).toBe(A * V + V - (A * E + E + V));
    untied.dispose();
    model.dispose();
  });

  it('logits = (a·P + p)·Eᵀ + b', () => {
    const model = tied();
    const a = tf.randomNormal([3, model.config.attentionUnits], 0, 1, 'float32', 4) as tf.Tensor2D;
    const P = model.params.get('decoder.output.projection.w').arraySync() as number[][];
    const p = model.params.get('decoder.output.projection.b').arraySync() as number[];
    const E = model.embedding.arraySync() as number[][];
    const b = model.params.get('decoder.output.bias');
    b.assign(tf.range(0, model.config.vocabSize).mul(0.01));
    const bias = b.arraySync() as number[];
    const rows = a.arraySync() as number[][];
    const expected = rows.map((row) => {
      const projected = p.map((pj, j) => pj + row.reduce((s, x, i) => s + x * P[i][j], 0));
      return E.map((e, v) => e.reduce((s, x, j) => s + x * projected[j], 0) + bias[v]);
    });
    const got = model.outputLogits(a).arraySync() as number[][];
    got.forEach((row, n) => row.forEach((x, v) => expect(x).toBeCloseTo(expected[n][v], 4)));
    model.dispose();
  });

  it('teaches the embedding of a token that is never read: the output layer shares it', () => {
    const gradOfUnseen = (model: DialogueModel) => {
      const { grads } = tf.variableGrads(() => batchLoss(model, buildBatch(CONTEXT_DIALOGUES, LAYOUT), PLAIN).loss, [model.embedding]);
      const row = tf.tidy(() => tf.abs(tf.slice(grads[model.embedding.name], [15, 0], [1, -1])).sum().dataSync()[0]); // token 15 is in no dialogue
      tf.dispose(Object.values(grads));
      model.dispose();
      return row;
    };
    expect(gradOfUnseen(tinyModel('hred'))).toBe(0);
    expect(gradOfUnseen(tied())).toBeGreaterThan(0);
  });

  it('ignores padding: a dialogue scores the same alone and batched beside a longer one', () => {
    const model = tied();
    const short: DialogueIds = [[4], [5, 6]];
    const long: DialogueIds = [[7, 8, 9, 10, 11], [12, 13, 14, 4, 5, 6], [7], [8, 9]];
    const nll = (d: DialogueIds[]) => lossTerms(model, d).nll;
    expect(nll([short, long])).toBeCloseTo(nll([short]) + nll([long]), 3);
    model.dispose();
  });

  it.each(['hred', 'vhred'] as const)('%s: matches finite differences and learns a tiny corpus', (kind) => {
    const model = tied(kind);
    for (const name of ['embedding', 'decoder.output.projection.w', 'decoder.output.bias']) {
      const { analytic, numeric } = gradientAtLargest(model, name, {});
      expect({ name, analytic }).toEqual({ name, analytic: expect.closeTo(numeric, Math.max(2e-3, Math.abs(numeric) * 0.05) as never) });
    }
    const { first, last } = fit(model, CONTEXT_DIALOGUES, { maxSteps: 300, target: 0.05 });
    expect(first.nll / first.targetTokens).toBeGreaterThan(2);
    expect(last.nll / last.targetTokens).toBeLessThan(0.05);
    model.dispose();
  }, 120_000);
});
