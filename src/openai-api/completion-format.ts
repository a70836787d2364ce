/**
 * The response objects of /v1/chat/completions as the OpenAI clients parse them: `chat.completion` for a whole
 * response, `chat.completion.chunk` for each server-sent event of a streamed one.
 */
import { randomUUID } from 'node:crypto';
import type { FinishReason } from '../generation';

/** What every object of one response shares. `model` is the version id that answered (usable as `model` again). */
export interface CompletionHeader {
  id: string;
  created: number;
  model: string;
}

export type OpenAiFinishReason = 'stop' | 'length';

export interface FinishedChoice {
  index: number;
  text: string;
  finishReason: OpenAiFinishReason;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export function completionHeader(model: string, now = Date.now()): CompletionHeader {
  return { id: `chatcmpl-${randomUUID().replaceAll('-', '')}`, created: Math.floor(now / 1000), model };
}

/** eos → stop, length → length. A cancelled reply has no OpenAI finish reason: it is never sent. */
export function openAiFinishReason(reason: Exclude<FinishReason, 'cancelled'>): OpenAiFinishReason {
  return reason === 'eos' ? 'stop' : 'length';
}

/**
 * prompt_tokens: every token the model read for this conversation (each turn truncated as the model reads it, with
 * its end-of-utterance token); cached_tokens: those whose encoding came from the conversation-state cache.
 * completion_tokens: tokens of every choice (end-of-utterance not counted).
 */
export function usage(promptTokens: number, cachedTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens },
  };
}

export function completion(header: CompletionHeader, choices: readonly FinishedChoice[], totals: Usage) {
  return {
    ...header,
    object: 'chat.completion' as const,
    choices: choices.map((c) => ({
      index: c.index,
      message: { role: 'assistant' as const, content: c.text, refusal: null },
      logprobs: null,
      finish_reason: c.finishReason,
    })),
    usage: totals,
  };
}

/** Chunk makers for one streamed response; with include_usage every chunk has `usage: null` but the last. */
export function chunks(header: CompletionHeader, includeUsage: boolean) {
  const chunk = (choices: object[], usageField?: Usage) => ({
    ...header,
    object: 'chat.completion.chunk' as const,
    choices,
    ...(includeUsage ? { usage: usageField ?? null } : {}),
  });
  const choice = (index: number, delta: object, finishReason: OpenAiFinishReason | null = null) => ({ index, delta, logprobs: null, finish_reason: finishReason });
  return {
    /** The first chunk of each choice. */
    role: (index: number) => chunk([choice(index, { role: 'assistant', content: '' })]),
    content: (index: number, text: string) => chunk([choice(index, { content: text })]),
    finish: (index: number, reason: OpenAiFinishReason) => chunk([choice(index, {}, reason)]),
    /** After every choice has finished (only with include_usage): no choices, the whole request's usage. */
    usage: (totals: Usage) => chunk([], totals),
  };
}
