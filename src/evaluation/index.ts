/** The public surface of the evaluation metric core (issue #7). */
export { sentenceBleu, DIALOGWAE_BLEU, type SentenceBleuOptions } from './metrics/bleu';
export { type BleuSmoothing, type Method4Variant } from './metrics/bleu-smoothing';
export { modifiedPrecision, closestReferenceLength, brevityPenalty, type ModifiedPrecision } from './metrics/modified-precision';
export { distinctRatio, intraDistinct, interDistinct, corpusDistinct, unigramEntropy, meanLength } from './metrics/distinct';
export {
  embeddingAverage,
  embeddingExtrema,
  greedyMatching,
  cosineSimilarity,
  type EmbeddingLookup,
} from './metrics/embedding';
export { pairedBootstrap, pairedBootstrapStatistic, type PairedBootstrapOptions, type PairedBootstrapResult } from './metrics/bootstrap';
export { winRate, wilsonInterval, type Preference, type WinRateResult } from './metrics/win-rate';
export { gaussianKl, gaussianKlPerDimension, meanKlPerDimension, mutualInformation, type DiagonalGaussian } from './metrics/latent';
export { activeUnits } from '../models/active-units';
export { evaluateDialogWae, type ProtocolContext, type ProtocolResult, type DialogWaeFigures, type PerContextScores } from './dialogwae-protocol';
export { tokenizeWords } from '../tokenization/word-tokens';
export { scoreReplies, perplexityOf, type ReplyScores, type ImportanceSamplingOptions } from './importance-sampling';
export { runComparison, type ComparisonSettings, type ComparisonResult } from './comparison/run-comparison';
export type { ComparisonReport } from './comparison/comparison-report';
export { renderMarkdown } from './comparison/report/markdown-report';
export { renderHtml } from './comparison/report/html-report';
export { writeComparisonFiles } from './comparison/report/write-report';
