/** Tiny models and a tiny tokenizer for the generation specs (random weights unless trained). */
import { DialogueModel } from '../../src/models/dialogue-model';
import { ModelKind } from '../../src/models/model-config';
import { buildWordTokenizer } from '../../src/tokenization/build-word-tokenizer';
import { WordTokenizer } from '../../src/tokenization/word-tokenizer';
import { ConversationState, observeUtterances, initialState, utteranceIds } from '../../src/generation';
import { tinyModel as tinyModelOf } from './tiny-model';

export const TINY_DIALOGUES = [
  ['hello there !', 'hi , how are you ?', 'fine thanks , and you ?', 'good .'],
  ['what time is it ?', 'it is late .', 'then go to bed .'],
  ['do you like tea ?', 'yes , i love tea .', 'me too !'],
];

export async function tinyTokenizer(): Promise<WordTokenizer> {
  return buildWordTokenizer(TINY_DIALOGUES.flat(), { maxSize: 40 });
}

/** A tiny model with short utterances, so replies that never say eos end quickly. */
export function tinyModel(kind: ModelKind, vocabSize: number, seed = 7): DialogueModel {
  return tinyModelOf(kind, vocabSize, seed, { maxUtteranceTokens: 12 });
}

/** The state after `turns`, one observe per turn (the incremental path). */
export function stateAfter(model: DialogueModel, tokenizer: WordTokenizer, turns: readonly string[]): ConversationState {
  let state = initialState(model);
  for (const turn of turns) [state] = observeUtterances(model, [state], [utteranceIds(tokenizer, turn, model.config)]);
  return state;
}
