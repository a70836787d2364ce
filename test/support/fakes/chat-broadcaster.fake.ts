import type { ChatBroadcaster } from '../../../src/chat/chat.broadcaster';
import type { ServerToClientEvents } from '../../../src/chat/chat.events';

export type Emitted = { [E in keyof ServerToClientEvents]: { conversationId: string; event: E; payload: Parameters<ServerToClientEvents[E]>[0] } }[keyof ServerToClientEvents];

/**
 * The chat's outbound port, recording every event a conversation's room would receive, in order. `onEmit` sees
 * each event as it is sent (e.g. to check what is stored at that moment); `until` waits for a condition on them.
 */
export class RecordingBroadcaster implements Pick<ChatBroadcaster, 'toConversation'> {
  readonly emitted: Emitted[] = [];
  onEmit?: (emitted: Emitted) => void;
  private readonly waiters: (() => void)[] = [];

  get asBroadcaster(): ChatBroadcaster {
    return this as Pick<ChatBroadcaster, 'toConversation'> as ChatBroadcaster;
  }

  toConversation<E extends keyof ServerToClientEvents>(conversationId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    const emitted = { conversationId, event, payload: args[0] } as Emitted;
    this.emitted.push(emitted);
    this.onEmit?.(emitted);
    this.waiters.splice(0).forEach((wake) => wake());
  }

  /** The payloads of one event kind, in order. */
  events<E extends keyof ServerToClientEvents>(event: E): Parameters<ServerToClientEvents[E]>[0][] {
    return this.emitted.filter((e) => e.event === event).map((e) => e.payload as Parameters<ServerToClientEvents[E]>[0]);
  }

  /** Resolves once `condition` holds (checked now and after every event). */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((wake) => this.waiters.push(wake));
  }

  /** Resolves once `count` replies have ended. */
  ended(count = 1): Promise<void> {
    return this.until(() => this.events('reply:end').length >= count);
  }
}
