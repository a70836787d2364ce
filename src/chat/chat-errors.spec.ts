import { InvalidInputError, NotFoundError } from '../common/errors';
import { GenerationError } from '../generation/generation-errors';
import { ChatError, toChatError } from './chat-errors';

describe(toChatError.name, () => {
  test.each([
    ['a ChatError as it is', new ChatError('rate_limited', 'slow down'), 'rate_limited'],
    ['invalid input of another module', new InvalidInputError('text: bad'), 'invalid_payload'],
    ['a conversation deleted meanwhile', new NotFoundError('conversation', 'c1'), 'conversation_not_found'],
    ['an unknown bot turn', new NotFoundError('bot turn', 'r1'), 'reply_not_found'],
    ['an unknown model version', new NotFoundError('model version', 'v1'), 'model_not_found'],
    ['a kind with no active version', new NotFoundError('active model of kind', 'seq2seq'), 'model_not_found'],
    ['a model unloaded meanwhile', new GenerationError('MODEL_NOT_LOADED', 'not loaded'), 'model_not_found'],
    ['anything else', new Error('boom'), 'internal'],
    ['a NotFoundError the chat has no code for', new NotFoundError('training run', 't1'), 'internal'],
  ])('maps %s', (_, error, code) => {
    expect(toChatError(error).code).toBe(code);
  });

  // Internal errors may carry SQL or paths: the client only learns that something failed.
  test('hides the message of internal errors', () => {
    expect(toChatError(new Error('connect ECONNREFUSED 10.0.0.5:5432')).message).toBe('internal error');
  });
});
