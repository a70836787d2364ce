/** The caveats printed under a comparison's tables: how each figure was made and where it differs from the papers. */
import * as path from 'node:path';
import type { Pair } from './comparison-report';
import type { ModelOutputs } from './model-outputs';
import type { TestSet } from './test-contexts';

export interface NoteInputs {
  readonly set: TestSet;
  readonly pair: Pair<ModelOutputs>;
  readonly samples: number;
  readonly importanceSamples: number;
  readonly vectors?: string;
}

export function reportNotes({ set, pair, samples, importanceSamples, vectors }: NoteInputs): string[] {
  const notes = [
    `Contexts: every turn after the first of each test dialogue is a reference, with all earlier turns as its context (DialogWAE); ${set.contexts.length} contexts from ${set.dialogues.length} dialogues.`,
    `Tokens: lower-cased word-and-punctuation tokens (NFKC, \\w+|[^\\w\\s]) of the decoded text and of the reference. BLEU: NLTK sentence BLEU, weights 1/3 to 3-grams, smoothing method7; recall = best of ${samples}, precision = mean of ${samples}.`,
    vectors
      ? `Embedding metrics use word2vec vectors trained on the training split (${path.basename(vectors)}); the published DialogWAE figures used GloVe Twitter vectors, not available here, so only the comparison between the two models is meaningful.`
      : 'Embedding metrics are left out: no vectors given (train them with `npm run word2vec -- train --data <train.jsonl> --out <file>` and pass --vectors).',
    `Perplexity: teacher forcing over every reply of those dialogues (up to the smaller maxTurns of the two models), eos counted, each model in its own tokenization. For VHRED "perplexity" is the importance-sampled estimate (K = ${importanceSamples} posterior samples) and "ELBO" the bound; for HRED both are exact and equal.`,
    'Corpus distinct-n (Li et al. 2016): one reply per context; greedy and beam use z = prior mean, "sample" is the first sampled reply (T = 1, z ~ prior).',
    'Temperature sweep: token sampling with z ~ prior; embedding metrics are not computed for it.',
    'Differences are A − B with paired bootstrap percentile intervals (contexts resampled; replies for perplexities).',
    'Corpus distinct-n and entropy are not means over contexts: a resample repeats replies, which lowers both models\' values and pulls the resampled differences toward 0, so those intervals are conservative (the difference can sit near one end).',
  ];
  for (const o of pair) {
    if (o.config.kind !== 'vhred') {
      notes.push(
        `${o.label} has no latent z: under "greedy tokens, z ~ prior" it gives one reply per context, repeated ${samples} times, so its inter-distinct collapses to that of a single reply; "z = prior mean" is the same as plain sampling.`,
      );
    }
  }
  if (pair[0].config.vocabSize !== pair[1].config.vocabSize) {
    notes.push(`The vocabularies differ (${pair[0].config.vocabSize} vs ${pair[1].config.vocabSize} entries), so the perplexities are not over the same tokens.`);
  }
  return notes;
}
