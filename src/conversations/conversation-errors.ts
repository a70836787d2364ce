import { AppError } from '../common/errors';

/** MAX_CONVERSATION_TURNS reached: the conversation takes no more user turns (its replies are still stored). */
export class ConversationFullError extends AppError<'conversation_full'> {
  constructor(conversationId: string, maxTurns: number) {
    super('conversation_full', `this conversation has reached the limit of ${maxTurns} turns: start a new conversation`, { conversationId, maxTurns });
  }
}
