/**
 * Every payload a client sends, as zod schemas: the one place where input is checked (see parsePayload).
 * Objects are strict, so a misspelt field (e.g. `clientMessageID`) is an error instead of being ignored.
 */
import { z } from 'zod';
import { InvalidInputError } from '../common/errors';
import { canonicalId } from '../common/ids';
import { describeIssue } from '../common/validation';
import { decodingSchema } from '../generation';
import { MODEL_KINDS } from '../models/model-config';
import { chatErrors } from './chat-errors';

/** PostgreSQL text cannot hold NUL: refused here, or the database would fail the event as `internal`. */
const noNul = (s: string) => !s.includes('\u0000');
const NUL_ERROR = { error: 'must not contain NUL (U+0000)' };
const id = z.string().min(1).max(100).refine(noNul, NUL_ERROR);
/** Ids the server made (conversations, replies): canonical at the border, so every map and room sees one spelling. */
const serverId = id.transform(canonicalId);

/** A kind follows that kind's active version at every turn; a version id pins the version. */
export const modelRefSchema = z
  .string()
  .refine((s) => (MODEL_KINDS as readonly string[]).includes(s) || z.uuid().safeParse(s).success, {
    error: 'must be seq2seq, hred, vhred or a model version id',
  })
  .transform(canonicalId);
export type ModelRef = z.infer<typeof modelRefSchema>;

/** generation's own settings (a superset of the protocol's: also latent, seed, nBest...), so both agree on limits. */
export const chatDecodingSchema = decodingSchema
  .partial()
  .refine((d) => (d.nBest ?? 1) <= (d.beamWidth ?? 4), { error: 'nBest cannot exceed beamWidth', path: ['nBest'] })
  .refine((d) => d.strategy !== 'beam' || (d.candidates ?? 1) === 1, {
    error: 'candidates applies to greedy and sampled replies; beam search ranks its own hypotheses',
    path: ['candidates'],
  });
export type ChatDecoding = z.infer<typeof chatDecodingSchema>;

export const startSchema = z
  .strictObject({
    model: modelRefSchema.optional(),
    decoding: chatDecodingSchema.optional(),
    compare: z.array(modelRefSchema).min(2).max(4).optional(),
    /** false: this conversation must not be used to retrain the models (default true; conversation:training changes it). */
    training: z.boolean().optional(),
  })
  .refine((s) => !(s.model && s.compare), { error: 'give either model or compare, not both', path: ['compare'] });
export type StartPayload = z.infer<typeof startSchema>;

export const resumeSchema = z.strictObject({ conversationId: serverId, resumeToken: z.string().min(1).max(200) });
export type ResumePayload = z.infer<typeof resumeSchema>;

/** Older turns of a conversation, a page at a time (`before`: nextBefore of the page after it). */
export const HISTORY_PAGE_MAX = 200;
export const historySchema = z.strictObject({
  conversationId: serverId,
  before: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).default(50),
});
export type HistoryPayload = z.output<typeof historySchema>;
export type HistoryRequest = z.input<typeof historySchema>;

/**
 * Text is trimmed first, so whitespace alone is empty. The limit is MAX_MESSAGE_CHARS in UTF-16 code units, as the
 * HTML maxlength attribute and String.length count: zod's max() counts code points, so the check is written out.
 */
export const sendSchema = (maxChars: number) =>
  z.strictObject({
    conversationId: serverId,
    text: z
      .string()
      .trim()
      .min(1, { error: 'is empty' })
      .superRefine((text, ctx) => {
        if (text.length > maxChars) ctx.addIssue({ code: 'too_big', origin: 'string', maximum: maxChars, inclusive: true, input: text, message: `is longer than ${maxChars} UTF-16 code units` });
      })
      .refine(noNul, NUL_ERROR),
    clientMessageId: id.optional(),
  });
export type SendPayload = z.infer<ReturnType<typeof sendSchema>>;

export const trainingSchema = z.strictObject({ conversationId: serverId, training: z.boolean() });
export type TrainingPayload = z.infer<typeof trainingSchema>;

export const cancelSchema = z.strictObject({ conversationId: serverId, replyId: serverId });
export type CancelPayload = z.infer<typeof cancelSchema>;

export const feedbackSchema = z.strictObject({
  conversationId: serverId,
  replyId: serverId,
  rating: z.union([z.literal(1), z.literal(-1)], { error: 'must be 1 or -1' }),
  preferred: z.literal(true).optional(),
});
export type FeedbackPayload = z.infer<typeof feedbackSchema>;

/** The payload as `schema` parses it, or an error naming the first bad field (text_empty, text_too_long, or invalid input). */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const { field } = describeIssue(issue);
  const message = field ? `${field}: ${issue.message}` : `payload: ${issue.message}`;
  if (field === 'text' && issue.code === 'too_small') throw chatErrors.textEmpty(message, field);
  if (field === 'text' && issue.code === 'too_big') throw chatErrors.textTooLong(message, field, Number(issue.maximum));
  throw new InvalidInputError(message, { field });
}
