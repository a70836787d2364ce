/**
 * A short chat session against a running service, printed event by event (the README's example):
 *   npm start &   node -r @swc-node/register scripts/example-session.ts [http://localhost:3000] [model]
 */
import { io } from 'socket.io-client';

async function main(): Promise<void> {
  const url = process.argv[2] ?? 'http://localhost:3000';
  const model = process.argv[3] ?? 'hred';
  const socket = io(`${url}/chat`, { transports: ['websocket'] });
  const call = (event: string, payload: unknown) => socket.timeout(30_000).emitWithAck(event, payload);
  const show = (dir: string, event: string, body: unknown) => console.log(`${dir} ${event} ${JSON.stringify(body)}`);
  for (const event of ['reply:start', 'reply:token', 'reply:end']) socket.on(event, (body) => show('←', event, body));
  const ended = () => new Promise<void>((resolve) => socket.once('reply:end', () => resolve()));

  const start = { model, decoding: { strategy: 'greedy' } };
  show('→', 'conversation:start', start);
  const started = await call('conversation:start', start);
  show('⇠', 'ack', started);
  for (const [i, text] of ['hello , how are you today ?', 'shall we go to the cinema tonight ?'].entries()) {
    const message = { conversationId: started.conversationId, text, clientMessageId: `m${i}` };
    show('→', 'message:send', message);
    const done = ended();
    show('⇠', 'ack', await call('message:send', message));
    await done;
  }
  const bad = { conversationId: started.conversationId, text: '' };
  show('→', 'message:send', bad);
  show('⇠', 'ack', await call('message:send', bad));
  socket.close();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
