import { z } from 'zod';
import type { FinishReason, Speaker } from '../generated/prisma/client';
import { DEFAULT_HELD_OUT_FRACTION } from './held-out';

const uuid = z.uuid();
const ms = z.number().int().min(0);
/** Decoding settings are owned by the generation module; storage keeps them as a JSON object. */
const jsonObject = z.record(z.string(), z.unknown());
const finishReason = z.enum(['complete', 'length', 'cancelled', 'failed', 'interrupted']) satisfies z.ZodType<FinishReason>;

export const newConversationSchema = z.strictObject({
  modelVersionId: uuid.optional(),
  decoding: jsonObject.optional(),
  compareModelIds: z.array(uuid).max(4).optional(),
  /** False: the person opted out of this conversation being used to retrain the models. */
  allowTraining: z.boolean().optional(),
});
export type NewConversation = z.infer<typeof newConversationSchema>;

export const newTurnSchema = z.strictObject({
  speaker: z.enum(['user', 'bot']) satisfies z.ZodType<Speaker>,
  text: z.string(),
  tokenCount: z.number().int().min(0).optional(),
  /** Idempotency key chosen by the client: appending it again returns the stored turn. */
  clientMessageId: z.string().min(1).max(100).optional(),
  replyId: z.string().min(1).max(100).optional(),
  modelVersionId: uuid.optional(),
  decoding: jsonObject.optional(),
  firstTokenMs: ms.optional(),
  totalMs: ms.optional(),
  finishReason: finishReason.optional(),
});
export type NewTurn = z.infer<typeof newTurnSchema>;

/** What is known once a streamed reply ends. */
export const botTurnUpdateSchema = z.strictObject({
  text: z.string().optional(),
  tokenCount: z.number().int().min(0).optional(),
  finishReason: finishReason.optional(),
  firstTokenMs: ms.optional(),
  totalMs: ms.optional(),
});
export type BotTurnUpdate = z.infer<typeof botTurnUpdateSchema>;

export const feedbackSchema = z.strictObject({
  rating: z.union([z.literal(1), z.literal(-1)], { error: 'rating must be 1 or -1' }),
  preferred: z.boolean().optional(),
});
export type FeedbackInput = z.infer<typeof feedbackSchema>;

export const historyQuerySchema = z.strictObject({
  /** Turns with a smaller index only; omit for the latest page. */
  before: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type HistoryQuery = z.input<typeof historyQuerySchema>;

export const listQuerySchema = z.strictObject({
  limit: z.number().int().min(1).max(200).default(50),
  /** nextCursor of the previous page. */
  cursor: uuid.optional(),
});
export type ListQuery = z.input<typeof listQuerySchema>;

/** Which turns of a collected conversation a model learns to write; the others are read as context only. */
export const trainingTargetsSchema = z.strictObject({
  /** What people wrote, each with the conversation before it as context. */
  userTurns: z.boolean().default(true),
  /**
   * The bot's own replies: `good` only those a person rated good (or preferred in compare mode), `not-bad` every one
   * not rated bad (the model then also learns to imitate its own unjudged replies), `none` never.
   */
  botTurns: z.enum(['good', 'not-bad', 'none']).default('good'),
});
export type TrainingTargets = z.output<typeof trainingTargetsSchema>;

export const exportOptionsSchema = z.strictObject({
  /** Conversations active at or after this time. */
  since: z.coerce.date().optional(),
  /** Each dialogue is cut before its first bot turn rated below this; unrated turns pass. */
  minRating: z.union([z.literal(1), z.literal(-1)]).optional(),
  targets: trainingTargetsSchema.default({ userTurns: true, botTurns: 'good' }),
  /** The whole export, or one side of the fixed held-out split (held-out.ts). */
  part: z.enum(['all', 'train', 'held-out']).default('all'),
  heldOutFraction: z.number().gt(0).lt(1).default(DEFAULT_HELD_OUT_FRACTION),
});
export type ExportOptions = z.input<typeof exportOptionsSchema>;

export interface ConversationSummary {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  modelVersionId: string | null;
  compareModelIds: string[];
  turnCount: number;
}

export interface ExportedConversation {
  id: string;
  turns: { speaker: Speaker; text: string; finishReason: FinishReason | null; feedback: { rating: number; preferred: boolean | null } | null }[];
}
