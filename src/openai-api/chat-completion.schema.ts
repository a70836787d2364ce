/**
 * The body of POST /v1/chat/completions, checked at the border. OpenAI's fields keep OpenAI's names and ranges;
 * the project's own decoding settings (the socket chat's schema) ride in `decoding`. The top level is strict, so a
 * misspelt field is an error naming it; OpenAI fields this server cannot honour are accepted only at their neutral
 * value (e.g. `frequency_penalty: 0`, `tools: []`), anything else is refused with the field named, never ignored.
 */
import { z } from 'zod';
import { canonicalId } from '../common/ids';
import { describeIssue } from '../common/validation';
import { type ChatDecoding, chatDecodingSchema } from '../chat/chat.schemas';
import { jsonSchemaOf } from '../api-docs/json-schema';
import { DEFAULT_MAX_CONVERSATION_TURNS, DEFAULT_MAX_MESSAGE_CHARS } from '../config/config';
import { openAiErrors } from './openai-errors';

/** Longest reply a request may ask for: the decoding schema's own bound (max_tokens over it is refused). */
export const MAX_COMPLETION_TOKENS = 512;
/** Choices per request: each is a reply of its own (a batch row), beam search aside. */
export const MAX_CHOICES = 16;

const isZero = (v: unknown) => v === 0;
const isEmptyArray = (v: unknown) => Array.isArray(v) && v.length === 0;

/** An OpenAI feature these models lack: accepted when absent, null or at its neutral value (`accepted`), refused otherwise. */
function neutral(accepted: string, isNeutral: (value: unknown) => boolean) {
  return z
    .unknown()
    .refine((v) => v === null || isNeutral(v), { error: `not supported by this server (accepted: null${accepted ? `, ${accepted}` : ''})` })
    .optional();
}
const noNul = (s: string) => !s.includes('\u0000');
const textPart = z.object({ type: z.literal('text'), text: z.string() });
const content = z
  .union([z.string(), z.array(textPart)], { error: 'must be a string or an array of text parts ({type: "text", text})' })
  .transform((c) => (typeof c === 'string' ? c : c.map((part) => part.text).join('\n')));

/**
 * One message. Objects are not strict: clients send back the assistant message they received (with `refusal`,
 * `annotations`…), and such extra keys carry nothing the models read.
 */
const message = (maxChars: number) =>
  z
    .object({
      role: z.enum(['system', 'developer', 'user', 'assistant'], { error: 'must be system, developer, user or assistant (this server has no tools)' }),
      content: content.nullish(),
      name: z.string().optional(),
      tool_calls: neutral('[]', isEmptyArray),
      function_call: neutral('', () => false),
    })
    .transform((m, ctx) => {
      const text = m.content ?? '';
      const problem =
        m.role !== 'assistant' && m.content == null ? 'is required'
        : m.role === 'user' && text.trim() === '' ? 'is empty'
        : text.length > maxChars ? `is longer than ${maxChars} characters`
        : !noNul(text) ? 'must not contain NUL (U+0000)'
        : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: ['content'], message: problem });
      return { role: m.role, text };
    });

const maxTokens = z.number().int().min(1).max(MAX_COMPLETION_TOKENS).nullish();

/** The socket chat's limits, which the API shares: characters per message, messages per conversation. */
export interface MessageLimits {
  maxChars: number;
  maxTurns: number;
}

export const chatCompletionSchema = ({ maxChars, maxTurns }: MessageLimits) =>
  z
    .strictObject({
      model: z.string().min(1).max(200).transform(canonicalId), // a version id in any case names one version
      messages: z
        .array(message(maxChars))
        .min(1, { error: 'must contain at least one message' })
        .max(maxTurns, { error: `holds more than ${maxTurns} messages (MAX_CONVERSATION_TURNS)` }),
      stream: z.boolean().nullish(),
      stream_options: z.object({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullish(),
      temperature: z.number().min(0).max(2).nullish(),
      top_p: z.number().gt(0).max(1).nullish(),
      max_tokens: maxTokens,
      max_completion_tokens: maxTokens,
      seed: z.number().int().min(0).max(0xffffffff).nullish(),
      n: z.number().int().min(1).max(MAX_CHOICES).nullish(),
      /** The socket chat's decoding settings (strategy, topK, beamWidth, latent, ignoreEos…); checked below. */
      decoding: z.record(z.string(), z.unknown()).optional(),
      // Accepted; they do not change the reply.
      user: z.string().max(256).nullish(),
      safety_identifier: z.string().max(256).nullish(),
      prompt_cache_key: z.string().max(256).nullish(),
      metadata: z.record(z.string(), z.string()).nullish(),
      store: z.boolean().nullish(),
      service_tier: z.string().nullish(),
      parallel_tool_calls: z.boolean().nullish(),
      // OpenAI features these models do not have: their neutral value only.
      stop: neutral('"", []', (v) => v === '' || isEmptyArray(v)),
      frequency_penalty: neutral('0', isZero),
      presence_penalty: neutral('0', isZero),
      logit_bias: neutral('{}', (v) => typeof v === 'object' && Object.keys(v as object).length === 0),
      logprobs: neutral('false', (v) => v === false),
      top_logprobs: neutral('0', isZero),
      response_format: neutral('{type: "text"}', (v) => (v as { type?: unknown }).type === 'text'),
      tools: neutral('[]', isEmptyArray),
      tool_choice: neutral('"none", "auto"', (v) => v === 'none' || v === 'auto'),
      functions: neutral('[]', isEmptyArray),
      function_call: neutral('"none", "auto"', (v) => v === 'none' || v === 'auto'),
      modalities: neutral('["text"]', (v) => Array.isArray(v) && v.every((m) => m === 'text')),
      audio: neutral('', () => false),
      prediction: neutral('', () => false),
      reasoning_effort: neutral('', () => false),
      verbosity: neutral('', () => false),
      web_search_options: neutral('', () => false),
    })
    .superRefine((r, ctx) => {
      // Checked by the socket chat's schema, but kept as given: its defaults would hide which settings the client
      // chose, and OpenAI's fields decide what an unset one means (choice-plan.ts).
      const checked = chatDecodingSchema.safeParse(r.decoding ?? {});
      if (!checked.success) {
        for (const issue of checked.error.issues) ctx.addIssue({ ...issue, path: ['decoding', ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
        return;
      }
      const d = (r.decoding ?? {}) as ChatDecoding;
      const clash = (top: string, inner: string, given: boolean) => {
        if (given) ctx.addIssue({ code: 'custom', path: ['decoding', inner], message: `give either ${top} or decoding.${inner}, not both` });
      };
      clash('temperature', 'temperature', r.temperature != null && d.temperature !== undefined);
      clash('top_p', 'topP', r.top_p != null && d.topP !== undefined);
      clash('max_tokens', 'maxTokens', (r.max_tokens ?? r.max_completion_tokens) != null && d.maxTokens !== undefined);
      clash('seed', 'seed', r.seed != null && d.seed !== undefined);
      clash('n', 'nBest', d.nBest !== undefined);
      if (r.max_tokens != null && r.max_completion_tokens != null && r.max_tokens !== r.max_completion_tokens) {
        ctx.addIssue({ code: 'custom', path: ['max_completion_tokens'], message: 'differs from max_tokens (give one of them)' });
      }
      if (r.temperature === 0 && d.strategy === 'sample') {
        ctx.addIssue({ code: 'custom', path: ['temperature'], message: 'is 0 (greedy) while decoding.strategy is sample' });
      }
      if (d.strategy === 'beam' && (d.candidates ?? 1) > 1) {
        ctx.addIssue({ code: 'custom', path: ['decoding', 'candidates'], message: 'applies to greedy and sampled replies; beam search ranks its own hypotheses' });
      }
      if (d.strategy === 'beam' && (r.n ?? 1) > (d.beamWidth ?? Math.max(4, r.n ?? 1))) {
        ctx.addIssue({ code: 'custom', path: ['n'], message: `cannot exceed decoding.beamWidth (${d.beamWidth}): beam search returns its n best` });
      }
      if (r.stream_options != null && !r.stream) {
        ctx.addIssue({ code: 'custom', path: ['stream_options'], message: 'is only allowed when stream is true' });
      }
    })
    .transform((r) => ({ ...r, decoding: r.decoding as ChatDecoding | undefined })); // validated above

/**
 * The request body as docs/openapi.json publishes it: the schema at the default limits, with `decoding` spelt out as
 * the socket chat's decoding schema (the body schema takes it as any object, then checks it with that schema).
 */
export function chatCompletionBodyDocument(): Record<string, unknown> {
  const body = jsonSchemaOf(chatCompletionSchema({ maxChars: DEFAULT_MAX_MESSAGE_CHARS, maxTurns: DEFAULT_MAX_CONVERSATION_TURNS }), 'input');
  const properties = body.properties as Record<string, unknown>;
  return { ...body, properties: { ...properties, decoding: { ...jsonSchemaOf(chatDecodingSchema, 'input'), description: "the project's own decoding settings" } } };
}

export type ChatCompletionRequest = z.output<ReturnType<typeof chatCompletionSchema>>;
export type ChatMessage = ChatCompletionRequest['messages'][number];

/** The request as `schema` parses it, or a 400 in OpenAI's shape naming the first field at fault. */
export function parseChatCompletion(schema: ReturnType<typeof chatCompletionSchema>, body: unknown): ChatCompletionRequest {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const { field, reason } = describeIssue(issue);
  const param = openAiParam(field);
  if (issue.code === 'unrecognized_keys' && !param.includes('.') && !param.includes('[')) {
    throw openAiErrors.invalid(`Unrecognized request argument supplied: ${param}`, param, 'unknown_parameter');
  }
  const code = param === 'messages' && issue.code === 'too_small' ? 'empty_array' : 'invalid_value';
  throw openAiErrors.invalid(param ? `Invalid '${param}': ${reason}` : `Invalid request: ${reason}`, param || null, code);
}

/** `messages.0.content` (zod's dotted path) → `messages[0].content` (OpenAI's). */
export function openAiParam(field: string): string {
  return field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/** The turns the model reads: user and assistant messages in order. System and developer messages are not read. */
export function conversationTurns(messages: readonly ChatMessage[]): string[] {
  const turns = messages.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => m.text);
  if (turns.length === 0) {
    throw openAiErrors.invalid("Invalid 'messages': no user or assistant message (system messages are not read by these models)", 'messages');
  }
  return turns;
}
