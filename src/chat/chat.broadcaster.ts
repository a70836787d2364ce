import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './chat.events';

export type ChatNamespace = Namespace<ClientToServerEvents, ServerToClientEvents>;

/**
 * The outbound port of the chat: ChatService emits through it and never sees socket.io. The gateway attaches the
 * namespace at start-up. Every socket that started or resumed a conversation is in that conversation's room, so a
 * reply reaches all of the holder's tabs and nobody else.
 */
@Injectable()
export class ChatBroadcaster {
  private namespace?: ChatNamespace;

  static room(conversationId: string): string {
    return `conversation:${conversationId}`;
  }

  attach(namespace: ChatNamespace): void {
    this.namespace = namespace;
  }

  toConversation<E extends keyof ServerToClientEvents>(conversationId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.namespace?.to(ChatBroadcaster.room(conversationId)).emit(event, ...args);
  }
}
