/**
 * A model and its tokenizer as they cross to a decoder thread, and the copy made there: the config, every parameter
 * in the model's order as one array, and the tokenizer's saved form. The copy has the same weights bit for bit, so
 * on the same backend it decodes the same tokens.
 */
import { DialogueModel } from '../models/dialogue-model';
import { ModelConfig } from '../models/model-config';
import { SavedTokenizer, tokenizerFromSaved } from '../tokenization';
import { Tokenizer } from '../tokenization/tokenizer';
import { flatten, setWeights } from '../training/parallel/weights';

export interface ModelReplica {
  config: ModelConfig;
  weights: Float32Array;
  tokenizer: SavedTokenizer;
}

export function replicaOf(model: DialogueModel, tokenizer: Tokenizer): ModelReplica {
  return { config: model.config, weights: flatten([...model.params.vars.values()]), tokenizer: tokenizer.saved() };
}

/** The model and tokenizer a replica describes, on this thread's backend. Throws when the weights do not fit the config. */
export function modelFromReplica(replica: ModelReplica): { model: DialogueModel; tokenizer: Tokenizer } {
  const model = new DialogueModel(replica.config, 1);
  const expected = model.params.count();
  if (replica.weights.length !== expected) {
    model.dispose();
    throw new RangeError(`a model replica has ${replica.weights.length} weights, its config needs ${expected}`);
  }
  setWeights(model, replica.weights);
  return { model, tokenizer: tokenizerFromSaved(replica.tokenizer) };
}
