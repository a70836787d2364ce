import { ConflictError } from '../common/errors';

/** MAX_CONVERSATION_TURNS reached: the conversation takes no more user turns (its replies are still stored). */
export class ConversationFullError extends ConflictError {
  constructor(conversationId: string, maxTurns: number) {
    super(`this conversation has reached the limit of ${maxTurns} turns: start a new conversation`, { conversationId, maxTurns });
  }
}
