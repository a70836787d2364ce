/**
 * A conversation's chat settings (which models answer, how they decode) on the conversation row.
 * The row has no column for a model *kind* (modelVersionId and compareModelIds hold pinned version ids only),
 * so until it does, the whole settings object is kept in the row's `decoding` JSON as `{ models, decoding }`.
 * The id columns are still filled when every model is pinned, so they stay truthful for other readers.
 */
import { z } from 'zod';
import type { NewConversation } from '../conversations/conversation.types';
import type { Conversation } from '../generated/prisma/client';
import { MODEL_KINDS } from '../models/model-config';
import { chatDecodingSchema, modelRefSchema } from './chat.schemas';
import type { ConversationSettings } from './chat.events';

export const DEFAULT_MODEL = 'hred';

const storedSchema = z.object({ models: z.array(modelRefSchema).min(1), decoding: chatDecodingSchema });

export function toNewConversation(settings: ConversationSettings): NewConversation {
  const pinned = settings.models.every((ref) => !(MODEL_KINDS as readonly string[]).includes(ref));
  return {
    modelVersionId: pinned && settings.models.length === 1 ? settings.models[0] : undefined,
    compareModelIds: pinned && settings.models.length > 1 ? settings.models : undefined,
    decoding: { models: settings.models, decoding: settings.decoding },
  };
}

/** Also reads conversations created elsewhere (plain decoding JSON, version ids in the id columns). */
export function readSettings(conversation: Pick<Conversation, 'decoding' | 'modelVersionId' | 'compareModelIds'>): ConversationSettings {
  const stored = storedSchema.safeParse(conversation.decoding);
  if (stored.success) return stored.data;
  const decoding = chatDecodingSchema.safeParse(conversation.decoding ?? {});
  const models = conversation.compareModelIds.length > 0 ? conversation.compareModelIds : [conversation.modelVersionId ?? DEFAULT_MODEL];
  return { models, decoding: decoding.success ? decoding.data : {} };
}
