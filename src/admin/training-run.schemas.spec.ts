import { createTrainingRunSchema } from './training-run.schemas';

const base = { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' } };

describe('createTrainingRunSchema', () => {
  // Pins a bug: the model shapes' defaults (embeddingDim 128, …) overrode the tiny preset's shapes.
  it('keeps only the hyperparameters given, so the preset supplies the rest', () => {
    const parsed = createTrainingRunSchema.parse({ ...base, hyperparameters: { preset: 'tiny', model: { decoderUnits: 32 }, batchSize: 4 } });
    expect(parsed.hyperparameters).toEqual({ preset: 'tiny', model: { decoderUnits: 32 }, batchSize: 4 });
  });

  it('defaults to no hyperparameters at all', () => {
    expect(createTrainingRunSchema.parse(base).hyperparameters).toEqual({});
  });

  it.each([
    ['outDir', { outDir: '/tmp' }],
    ['trainData', { trainData: '/etc/passwd' }],
    ['checkpointDir', { checkpointDir: '/tmp' }],
    ['baseModelDir', { baseModelDir: '/tmp' }],
    ['model.kind', { model: { kind: 'vhred' } }],
  ])('refuses the path or identity field %s', (_, hyperparameters) => {
    expect(createTrainingRunSchema.safeParse({ ...base, hyperparameters }).success).toBe(false);
  });
});
