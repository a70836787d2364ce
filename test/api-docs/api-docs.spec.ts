import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { ChatGateway } from '../../src/chat/chat.gateway';
import { CHAT_PROTOCOL } from '../../src/chat/chat.events';
import { type ApiDocuments, buildApiDocuments } from '../../src/api-docs/write-api-docs';

const committed = (file: keyof ApiDocuments) => readFileSync(path.join(__dirname, '..', '..', 'docs', file), 'utf8');

describe('the published API documents', () => {
  let built: ApiDocuments;
  beforeAll(async () => {
    built = await buildApiDocuments();
  });

  it.each(['openapi.json', 'asyncapi.json'] as const)('docs/%s is what the code says (after a change: npm run docs:api)', (file) => {
    expect(committed(file)).toBe(built[file]);
  });

  describe('asyncapi.json', () => {
    const document = () => JSON.parse(built['asyncapi.json']);
    // The AsyncAPI 3.0.0 meta-schema, draft-07 (the "without $id" file: its refs are local).
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

    it('is a valid AsyncAPI 3.0 document', () => {
      const metaSchema = JSON.parse(readFileSync(require.resolve('@asyncapi/specs/schemas/3.0.0-without-$id.json'), 'utf8'));
      const validate = ajv.compile(metaSchema);
      expect(validate(document()) ? [] : validate.errors).toEqual([]);
    });

    it('lists exactly the events the gateway handles, and the ones the server emits', () => {
      const handled = Object.getOwnPropertyNames(ChatGateway.prototype)
        .map((name) => Reflect.getMetadata('message', (ChatGateway.prototype as unknown as Record<string, object>)[name]) as string | undefined)
        .filter((event): event is string => typeof event === 'string');
      const messages = document().channels.chat.messages as Record<string, { name: string }>;
      const names = Object.values(messages).map((m) => m.name);
      expect(new Set(handled)).toEqual(new Set(Object.keys(CHAT_PROTOCOL.clientEvents)));
      expect(names).toEqual(expect.arrayContaining([...handled, 'reply:start', 'reply:token', 'reply:end']));
    });

    it("publishes message:send's payload as the gateway checks it: strict, required fields", () => {
      const payload = document().channels.chat.messages.messageSend.payload;
      const validate = ajv.compile(payload);
      expect(validate({ conversationId: 'c1', text: 'hello', clientMessageId: 'm1' })).toBe(true);
      expect(validate({ conversationId: 'c1', text: 'hello', clientMessageID: 'm1' })).toBe(false); // misspelt: refused as the server does
      expect(validate({ conversationId: 'c1' })).toBe(false);
    });

    it('gives every acknowledgement its error branch with the stable codes', () => {
      const ack = document().channels.chat.messages.messageSendAck.payload;
      const validate = ajv.compile(ack);
      expect(validate({ ok: true, turnIndex: 3 })).toBe(true);
      expect(validate({ ok: false, error: { code: 'text_too_long', message: 'text: too long', meta: { max: 1000 } } })).toBe(true);
      expect(validate({ ok: false, error: { code: 'no_such_code', message: 'x' } })).toBe(false);
    });
  });

  describe('openapi.json', () => {
    const document = () => JSON.parse(built['openapi.json']);

    it('documents the OpenAI-compatible chat with its body, the probes and the admin API', () => {
      const paths = Object.keys(document().paths);
      expect(paths).toEqual(expect.arrayContaining(['/v1/chat/completions', '/v1/models', '/health/live', '/health/ready', '/admin/training-runs', '/admin/comparisons']));
      const body = document().paths['/v1/chat/completions'].post.requestBody.content['application/json'].schema;
      expect(body.required).toEqual(expect.arrayContaining(['model', 'messages']));
      expect(body.properties.decoding.properties.strategy.enum).toEqual(expect.arrayContaining(['greedy', 'beam', 'sample']));
    });

    it('does not publish the chat page or /metrics', () => {
      const paths = Object.keys(document().paths);
      expect(paths).not.toContain('/');
      expect(paths).not.toContain('/metrics');
    });
  });
});
