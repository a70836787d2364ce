import { ModelKind } from './model-config';

/** What a reply's decoder may be conditioned on: a tensor of rows, one reply's values, or a part's size. */
export interface ConditionSources<T> {
  /** The answered utterance's vector (2He). */
  answered?: T;
  /** The context state before the reply (Hc). */
  context?: T;
  /** The reply's latent sample (Z). */
  z?: T;
}

/**
 * What conditions the decoder, in the order it is concatenated — said once for the model, training's loss,
 * generation's decoder rows and importance sampling:
 *   Seq2Seq: the answered utterance's vector alone;
 *   HRED:    the context state (Serban et al. 2016);
 *   VHRED:   the context state, then z (Serban et al. 2017).
 * Generic in what a part is, so the same rule concatenates tensors, fills a reply's Float32Array and sums the size.
 */
export function decoderCondition<T>(kind: ModelKind, from: ConditionSources<T>): T[] {
  switch (kind) {
    case 'seq2seq':
      return [required(from.answered, 'a Seq2Seq reply needs the answered utterance')];
    case 'hred':
      return [required(from.context, 'an HRED reply needs the context state')];
    case 'vhred':
      return [required(from.context, 'a VHRED reply needs the context state'), required(from.z, 'a VHRED reply needs z')];
  }
}

function required<T>(part: T | undefined, message: string): T {
  if (part === undefined) throw new Error(message);
  return part;
}
