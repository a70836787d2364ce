/**
 * The decoder step every generation strategy takes: the model's next-token logits with the tokens no reply
 * may contain ruled out. <pad> and <bos> never follow in a reply, and <unk> stands for a word the vocabulary
 * lacks, which the detokenizer drops: a greedy VHRED otherwise answers "the <unk> is good" as "the is good".
 * Teacher-forced scores (perplexity) are not affected: they never decode.
 */
import * as tf from '@tensorflow/tfjs';
import { DecoderState, DialogueModel } from '../models/dialogue-model';
import { BOS_ID, PAD_ID, UNK_ID } from '../tokenization/tokenizer';

const RULED_OUT = [PAD_ID, UNK_ID, BOS_ID];
const biases = new Map<number, Float32Array>();

/** [V]: 0, but −1e9 at the tokens ruled out. */
function ruledOutBias(vocabSize: number): Float32Array {
  let bias = biases.get(vocabSize);
  if (!bias) {
    bias = new Float32Array(vocabSize);
    for (const id of RULED_OUT) bias[id] = -1e9;
    biases.set(vocabSize, bias);
  }
  return bias;
}

/** One decoder step from the previous tokens [N]. Call inside a tidy. */
export function replyStep(model: DialogueModel, prevTokens: number[], state: DecoderState): { logits: tf.Tensor2D; state: DecoderState } {
  const step = model.decoderStep(tf.tensor1d(Int32Array.from(prevTokens), 'int32'), state);
  return { logits: tf.add(step.logits, tf.tensor1d(ruledOutBias(model.config.vocabSize))) as tf.Tensor2D, state: step.state };
}
