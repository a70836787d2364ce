/**
 * The /chat socket.io protocol as an AsyncAPI 3.0 document, written from CHAT_PROTOCOL (src/chat/chat.events.ts),
 * the same table the gateway's types come from. Operations are seen from the server: a client event is one it
 * `receive`s (its acknowledgement is the operation's reply), a server event one it `send`s.
 */
import { CHAT_PROTOCOL } from '../chat/chat.events';
import { jsonSchemaOf } from './json-schema';
import { SERVICE_VERSION } from './service-version';

/** `conversation:start` → `conversationStart`: AsyncAPI's component keys allow no colon. */
const keyOf = (event: string) => event.replace(/[:-](\w)/g, (_, c: string) => c.toUpperCase());

const ackErrorSchema = jsonSchemaOf(CHAT_PROTOCOL.ackError, 'output');

export function asyncApiDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const channelRef = { $ref: '#/channels/chat' };
  const messageRef = (key: string) => ({ $ref: `#/channels/chat/messages/${key}` });

  for (const [event, { summary, payload, result }] of Object.entries(CHAT_PROTOCOL.clientEvents)) {
    const key = keyOf(event);
    const success = jsonSchemaOf(result, 'output');
    messages[key] = { name: event, title: event, summary, payload: jsonSchemaOf(payload, 'input') };
    messages[`${key}Ack`] = {
      name: `${event} ack`,
      title: `${event} acknowledgement`,
      summary: 'The callback argument: { ok: true, ...result } or { ok: false, error }',
      payload: { oneOf: [withOkTrue(success), ackErrorSchema] },
    };
    operations[key] = { action: 'receive', channel: channelRef, summary, messages: [messageRef(key)], reply: { channel: channelRef, messages: [messageRef(`${key}Ack`)] } };
  }
  for (const [event, { summary, payload }] of Object.entries(CHAT_PROTOCOL.serverEvents)) {
    const key = keyOf(event);
    messages[key] = { name: event, title: event, summary, payload: jsonSchemaOf(payload, 'output') };
    operations[key] = { action: 'send', channel: channelRef, summary, messages: [messageRef(key)] };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'hred-chat /chat protocol',
      version: SERVICE_VERSION,
      description:
        'Chat with the HRED/VHRED models over socket.io 4, namespace /chat, on the service\'s HTTP port. Every client event takes an ' +
        'acknowledgement callback; replies stream to every socket of the conversation. A connection refused (too_many_sockets) gets a ' +
        "connect_error whose data is an acknowledgement's error. Prose and examples: docs/websocket-protocol.md.",
    },
    defaultContentType: 'application/json',
    servers: { local: { host: 'localhost:3000', protocol: 'ws', pathname: '/socket.io', description: 'socket.io 4 (engine.io v4), namespace /chat' } },
    channels: { chat: { address: '/chat', title: 'the /chat namespace', messages } },
    operations,
  };
}

function withOkTrue(result: Record<string, unknown>): Record<string, unknown> {
  const properties = { ok: { type: 'boolean', const: true }, ...(result.properties as Record<string, unknown> | undefined) };
  const required = ['ok', ...((result.required as string[] | undefined) ?? [])];
  return { ...result, properties, required };
}
