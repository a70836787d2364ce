import { chatCompletionSchema, conversationTurns, openAiParam, parseChatCompletion } from './chat-completion.schema';
import { toOpenAiError } from '../common/error-responses';

const schema = chatCompletionSchema({ maxChars: 20, maxTurns: 4 });
const user = (content: unknown) => ({ role: 'user', content });
const body = (extra: object = {}) => ({ model: 'hred', messages: [user('hello')], ...extra });
/** What a /v1 client receives when `run` throws: the status and OpenAI's error body. */
const refusedWith = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    const { status, body } = toOpenAiError(error);
    return { status, ...body.error };
  }
  throw new Error('accepted');
};
const refusal = (input: unknown) => refusedWith(() => parseChatCompletion(schema, input));

describe('the chat completion request contract', () => {
  test('a request as the openai client sends it, text parts joined, extra message keys dropped', () => {
    const parsed = parseChatCompletion(schema, {
      model: 'vhred',
      messages: [
        { role: 'developer', content: 'be brief' },
        user([{ type: 'text', text: 'hi' }, { type: 'text', text: 'there' }]),
        { role: 'assistant', content: 'hello', refusal: null, annotations: [] },
        { role: 'user', content: 'bye', name: 'ann' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.7,
      top_p: 0.9,
      max_completion_tokens: 12,
      seed: 4,
      n: 2,
      user: 'u-1',
      frequency_penalty: 0,
      tools: [],
      tool_choice: 'none',
      stop: null,
      response_format: { type: 'text' },
      decoding: { topK: 5, latent: 'mean' },
    });
    expect(parsed.messages).toEqual([
      { role: 'developer', text: 'be brief' },
      { role: 'user', text: 'hi\nthere' },
      { role: 'assistant', text: 'hello' },
      { role: 'user', text: 'bye' },
    ]);
    expect(parsed.decoding).toEqual({ topK: 5, latent: 'mean' }); // as given: no defaults filled in
    expect(conversationTurns(parsed.messages)).toEqual(['hi\nthere', 'hello', 'bye']);
  });

  test('a version id is canonical (lower-case) from the border on', () => {
    expect(parseChatCompletion(schema, body({ model: '4B7C5AEC-3DC9-4A85-AA7A-18D9A2648866' })).model).toBe('4b7c5aec-3dc9-4a85-aa7a-18d9a2648866');
    expect(parseChatCompletion(schema, body({ model: 'hred' })).model).toBe('hred');
  });

  test('an assistant message may be empty or null (a reply can be empty)', () => {
    const parsed = parseChatCompletion(schema, body({ messages: [user('a'), { role: 'assistant', content: null }, user('b')] }));
    expect(conversationTurns(parsed.messages)).toEqual(['a', '', 'b']);
  });

  // Each refusal names the field in OpenAI's notation.
  test.each([
    ['no model', { messages: [user('hi')] }, 'model', 'invalid_value'],
    ['no messages', body({ messages: [] }), 'messages', 'empty_array'],
    ['a misspelt field', body({ max_token: 5 }), 'max_token', 'unknown_parameter'],
    ['a tool role', body({ messages: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] }), 'messages[0].role', 'invalid_value'],
    ['an image part', body({ messages: [user([{ type: 'image_url', image_url: { url: 'http://x' } }])] }), 'messages[0].content', 'invalid_value'],
    ['an empty user message', body({ messages: [user('  ')] }), 'messages[0].content', 'invalid_value'],
    ['a user message without content', body({ messages: [{ role: 'user' }] }), 'messages[0].content', 'invalid_value'],
    ['a message over MAX_MESSAGE_CHARS', body({ messages: [user('x'.repeat(21))] }), 'messages[0].content', 'invalid_value'],
    ['more messages than MAX_CONVERSATION_TURNS', body({ messages: [user('a'), user('b'), user('c'), user('d'), user('e')] }), 'messages', 'invalid_value'],
    ['NUL in a message', body({ messages: [user('a\u0000b')] }), 'messages[0].content', 'invalid_value'],
    ['tool calls', body({ messages: [user('a'), { role: 'assistant', content: null, tool_calls: [{ id: 'x' }] }] }), 'messages[1].tool_calls', 'invalid_value'],
    ['temperature over 2', body({ temperature: 2.5 }), 'temperature', 'invalid_value'],
    ['top_p 0', body({ top_p: 0 }), 'top_p', 'invalid_value'],
    ['max_tokens over the limit', body({ max_tokens: 513 }), 'max_tokens', 'invalid_value'],
    ['max_tokens and max_completion_tokens differing', body({ max_tokens: 5, max_completion_tokens: 6 }), 'max_completion_tokens', 'invalid_value'],
    ['n over 16', body({ n: 17 }), 'n', 'invalid_value'],
    ['a negative seed', body({ seed: -1 }), 'seed', 'invalid_value'],
    ['stop sequences', body({ stop: ['\n'] }), 'stop', 'invalid_value'],
    ['a penalty', body({ presence_penalty: 0.5 }), 'presence_penalty', 'invalid_value'],
    ['logprobs', body({ logprobs: true }), 'logprobs', 'invalid_value'],
    ['tools', body({ tools: [{ type: 'function', function: { name: 'f' } }] }), 'tools', 'invalid_value'],
    ['JSON mode', body({ response_format: { type: 'json_object' } }), 'response_format', 'invalid_value'],
    ['stream_options without stream', body({ stream_options: { include_usage: true } }), 'stream_options', 'invalid_value'],
    ['a setting given twice', body({ temperature: 0.5, decoding: { temperature: 0.7 } }), 'decoding.temperature', 'invalid_value'],
    ['nBest instead of n', body({ decoding: { strategy: 'beam', nBest: 2 } }), 'decoding.nBest', 'invalid_value'],
    ['a bad decoding value', body({ decoding: { strategy: 'nucleus' } }), 'decoding.strategy', 'invalid_value'],
    ['an unknown decoding field', body({ decoding: { beamSize: 3 } }), 'decoding.beamSize', 'invalid_value'],
    ['temperature 0 with sampling', body({ temperature: 0, decoding: { strategy: 'sample' } }), 'temperature', 'invalid_value'],
    ['sample-and-rank with beam search', body({ decoding: { strategy: 'beam', candidates: 4 } }), 'decoding.candidates', 'invalid_value'],
    ['more choices than beams', body({ n: 5, decoding: { strategy: 'beam', beamWidth: 3 } }), 'n', 'invalid_value'],
  ])('refuses %s', (_, input, param, code) => {
    const error = refusal(input);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param, code });
    expect(error.message).toContain(param);
  });

  test('system messages alone leave nothing to answer', () => {
    const parsed = parseChatCompletion(schema, body({ messages: [{ role: 'system', content: 'be nice' }] }));
    expect(refusedWith(() => conversationTurns(parsed.messages))).toMatchObject({ status: 400, param: 'messages' });
  });

  test.each([
    ['messages.0.content', 'messages[0].content'],
    ['messages.12.content.3.text', 'messages[12].content[3].text'],
    ['decoding.topK', 'decoding.topK'],
  ])('%s is %s in OpenAI notation', (field, param) => {
    expect(openAiParam(field)).toBe(param);
  });
});
