import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { toSocketError } from '../common/error-responses';
import { ServingMetrics } from '../metrics/serving-metrics';
import { clientAddress } from '../serving/client-address';
import { chatErrors } from './chat-errors';
import { ChatBroadcaster, type ChatNamespace } from './chat.broadcaster';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from './chat.events';
import { CHAT_OPTIONS, type ChatOptions } from './chat.options';
import { cancelSchema, feedbackSchema, historySchema, parsePayload, resumeSchema, sendSchema, startSchema, trainingSchema } from './chat.schemas';
import { type ChatClient, ChatService } from './chat.service';
import { TokenBucket } from './rate-limiter';

interface ChatSocketData {
  /** Conversations this socket started or resumed: the only ones it may use. */
  authorized: Set<string>;
  limiter: TokenBucket;
  /** The client's address (clientAddress), counted in CHAT_SOCKETS_PER_ADDRESS while the socket is open. */
  address: string;
}
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, ChatSocketData>;

/**
 * socket.io namespace /chat (docs/websocket-protocol.md). Thin: rate limit → validate → ChatService → ack.
 * Every handler returns its ack, which Nest passes to the client's callback (and drops when there is none);
 * nothing thrown escapes, so a bad event never disturbs the socket or anyone else.
 */
// Chat payloads are a few hundred bytes; socket.io's default 1 MB message limit is far more than any client needs.
@WebSocketGateway({ namespace: '/chat', maxHttpBufferSize: 64 * 1024 })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);
  private readonly sendSchema;
  private namespace?: ChatNamespace;
  /** Open sockets per client address. */
  private readonly sockets = new Map<string, number>();

  constructor(
    private readonly chat: ChatService,
    private readonly broadcaster: ChatBroadcaster,
    @Inject(CHAT_OPTIONS) private readonly options: ChatOptions,
    private readonly metrics: ServingMetrics,
  ) {
    this.sendSchema = sendSchema(options.maxMessageChars);
  }

  afterInit(namespace: ChatNamespace): void {
    this.broadcaster.attach(namespace);
    this.namespace = namespace;
    // Before the connection is accepted: the client gets a connect_error whose data is the error, as in an ack.
    namespace.use((socket, next) => {
      const address = clientAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], this.options.trustedProxies);
      const open = this.sockets.get(address) ?? 0;
      if (open >= this.options.socketsPerAddress) {
        const error = toSocketError(chatErrors.tooManySockets(this.options.socketsPerAddress));
        this.metrics.refused('socket', error.code);
        return next(Object.assign(new Error(error.message), { data: error }));
      }
      this.sockets.set(address, open + 1);
      (socket as ChatSocket).data.address = address;
      next();
    });
  }

  handleConnection(socket: ChatSocket): void {
    socket.data.authorized = new Set();
    socket.data.limiter = new TokenBucket(this.options.rateLimit);
    // Nest answers subscribed events only: without this, a client awaiting the ack of a misspelt event waits forever.
    socket.onAny((event: string, ...args: unknown[]) => {
      if (socket.listenerCount(event) > 0) return;
      const ack = args.at(-1);
      void this.handle(socket, () => Promise.reject(chatErrors.unknownEvent(String(event)))).then((answer) => typeof ack === 'function' && ack(answer));
    });
  }

  /** The socket's address is counted out, and each conversation it listened to learns how many listeners it has left. */
  async handleDisconnect(socket: ChatSocket): Promise<void> {
    const { address, authorized } = socket.data;
    if (address === undefined) return; // refused by the middleware: never counted
    const open = (this.sockets.get(address) ?? 1) - 1;
    if (open > 0) this.sockets.set(address, open);
    else this.sockets.delete(address);
    for (const conversationId of authorized ?? []) {
      // Every instance's sockets (the Redis adapter asks them), now that this one has left its rooms.
      const remaining = await this.namespace!.in(ChatBroadcaster.room(conversationId)).fetchSockets().then(
        (listeners) => listeners.length,
        (error: unknown) => {
          this.logger.warn(`cannot tell whether conversation ${conversationId} has listeners left: ${String(error)}`);
          return undefined;
        },
      );
      if (remaining !== undefined) this.chat.listenerLeft(conversationId, remaining);
    }
  }

  @SubscribeMessage('conversation:start')
  start(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.handle(socket, () => this.chat.start(client(socket), parsePayload(startSchema, body)));
  }

  @SubscribeMessage('conversation:resume')
  resume(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.handle(socket, () => this.chat.resume(client(socket), parsePayload(resumeSchema, body)));
  }

  @SubscribeMessage('conversation:history')
  history(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.handle(socket, () => this.chat.history(client(socket), parsePayload(historySchema, body)));
  }

  @SubscribeMessage('conversation:training')
  training(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.handle(socket, () => this.chat.setTraining(client(socket), parsePayload(trainingSchema, body)));
  }

  @SubscribeMessage('message:send')
  send(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    const receivedAt = Date.now();
    return this.handle(socket, () => this.chat.send(client(socket), parsePayload(this.sendSchema, body), receivedAt));
  }

  @SubscribeMessage('reply:cancel')
  cancel(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.handle(socket, () => this.chat.cancel(client(socket), parsePayload(cancelSchema, body)));
  }

  @SubscribeMessage('feedback')
  feedback(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.handle(socket, () => this.chat.feedback(client(socket), parsePayload(feedbackSchema, body)));
  }

  private async handle<T extends object>(socket: ChatSocket, run: () => Promise<T>): Promise<Ack<T>> {
    try {
      const retryAfterMs = socket.data.limiter.take();
      if (retryAfterMs > 0) throw chatErrors.rateLimited(retryAfterMs);
      return { ok: true, ...(await run()) };
    } catch (thrown) {
      const error = toSocketError(thrown);
      this.metrics.refused('socket', error.code);
      if (error.code === 'internal') this.logger.error(thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown));
      return { ok: false, error };
    }
  }
}

function client(socket: ChatSocket): ChatClient {
  return {
    address: socket.data.address,
    isAuthorized: (conversationId) => socket.data.authorized.has(conversationId),
    authorize: (conversationId) => {
      socket.data.authorized.add(conversationId);
      void socket.join(ChatBroadcaster.room(conversationId));
    },
  };
}
