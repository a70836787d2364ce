/**
 * Corpus-level figures of one model (teacher-forced perplexities, VHRED's KL and active units, and
 * Li et al.'s diversity of one reply per context under greedy, beam and sampled decoding) and the
 * A − B differences: perplexities resampled over scored replies, diversity over contexts.
 */
import { perplexityOf, type ReplyScores } from '../importance-sampling';
import { pairedBootstrap, pairedBootstrapStatistic, type PairedBootstrapOptions } from '../metrics/bootstrap';
import { activeUnits } from '../../models/active-units';
import { mean } from '../statistics';
import type { CorpusFigures, Difference, DiversityFigures, Pair } from './comparison-report';
import { InternedReplies } from './corpus-statistics';
import { CORPUS_DECODINGS, type CorpusDecoding } from './decoding-modes';

export interface CorpusInputs {
  readonly scores: ReplyScores;
  readonly latentDim?: number;
  /** Word tokens of one reply per context, per decoding. */
  readonly replies: Record<CorpusDecoding, string[][]>;
}

type DiversityKey = keyof DiversityFigures;
const DIVERSITY_KEYS: readonly DiversityKey[] = ['distinct1', 'distinct2', 'entropy', 'meanLength'];

function diversityFigure(replies: InternedReplies, figure: DiversityKey, indices: ArrayLike<number>): number {
  if (figure === 'distinct1') return replies.distinct(1, indices);
  if (figure === 'distinct2') return replies.distinct(2, indices);
  return figure === 'entropy' ? replies.entropy(indices) : replies.meanLength(indices);
}

function diversity(replies: InternedReplies, indices: ArrayLike<number>): DiversityFigures {
  return Object.fromEntries(DIVERSITY_KEYS.map((key) => [key, diversityFigure(replies, key, indices)])) as unknown as DiversityFigures;
}

const allIndices = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

export function corpusFigures(input: CorpusInputs): CorpusFigures {
  const { scores } = input;
  const hasLatent = scores.posteriorMeans.length > 0;
  const decodings = Object.fromEntries(
    CORPUS_DECODINGS.map((d) => [d, diversity(new InternedReplies(input.replies[d]), allIndices(input.replies[d].length))]),
  ) as Record<CorpusDecoding, DiversityFigures>;
  return {
    replies: scores.tokens.length,
    tokens: scores.tokens.reduce((sum, t) => sum + t, 0),
    perplexity: perplexityOf(scores.logLikelihood, scores.tokens),
    elboPerplexity: perplexityOf(scores.elbo, scores.tokens),
    importanceSamples: scores.samples,
    ...(hasLatent && {
      klPerReply: mean(scores.kl),
      activeUnits: activeUnits(scores.posteriorMeans).count,
      latentDim: input.latentDim,
    }),
    decodings,
  };
}

/** Keys: perplexity, elboPerplexity, klPerReply (both VHRED), `<decoding>.<figure>`. */
export function corpusDifferences(inputs: Pair<CorpusInputs>, options: PairedBootstrapOptions): Record<string, Difference> {
  const [a, b] = inputs.map((i) => i.scores);
  const differences: Record<string, Difference> = {};
  // Both models score the same replies (same dialogues and turns); only then are they paired.
  if (a.tokens.length === b.tokens.length && a.tokens.length > 0) {
    for (const key of ['logLikelihood', 'elbo'] as const) {
      differences[key === 'elbo' ? 'elboPerplexity' : 'perplexity'] = pairedBootstrapStatistic(
        a.tokens.length,
        (indices) => perplexityOf(a[key], a.tokens, indices) - perplexityOf(b[key], b.tokens, indices),
        options,
      );
    }
    if (a.posteriorMeans.length > 0 && b.posteriorMeans.length > 0) differences.klPerReply = pairedBootstrap(a.kl, b.kl, options);
  }
  for (const decoding of CORPUS_DECODINGS) {
    const [x, y] = inputs.map((i) => new InternedReplies(i.replies[decoding]));
    for (const figure of DIVERSITY_KEYS) {
      differences[`${decoding}.${figure}`] = pairedBootstrapStatistic(
        x.size,
        (indices) => diversityFigure(x, figure, indices) - diversityFigure(y, figure, indices),
        options,
      );
    }
  }
  return differences;
}
