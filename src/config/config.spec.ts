import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseConfig, SETTING_NAMES } from './config';

describe(parseConfig.name, () => {
  it('applies the documented defaults', () => {
    expect(parseConfig({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: path.resolve('data'),
      modelsDir: path.resolve('models'),
      adminToken: undefined,
      redisUrl: undefined,
      redisPrefix: 'hred',
      trainingWorker: true,
      logLevel: 'info',
      corsOrigins: undefined,
      maxMessageChars: 1000,
      maxConversationTurns: 1000,
      chatInactiveVersions: false,
      chatRateLimit: { burst: 10, perSecond: 5 },
      chatDecodingCaps: { maxTokens: 128, beamWidth: 8, candidates: 16, ignoreEos: false },
      chatMaxCompare: 3,
      chatSocketsPerAddress: 32,
      chatConversationsPerMinute: 20,
      serving: { maxRows: 64, maxQueued: 256, perClient: 8 },
      trustedProxies: [],
      tfBackend: 'auto',
      decoderThreads: 1,
      corpusDir: path.resolve('../shared/data'),
      chatApiKeys: undefined,
      chatApiStore: false,
      defaultDecoding: { strategy: 'beam', beamWidth: 4 },
      metrics: { enabled: true, port: undefined },
    });
  });

  it('treats an empty value as unset', () => {
    expect(parseConfig({ PORT: '', ADMIN_TOKEN: '' })).toMatchObject({ port: 3000, adminToken: undefined });
  });

  it('reads every setting', () => {
    const config = parseConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db:5432/chat',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      MAX_MESSAGE_CHARS: '500',
      TF_BACKEND: 'wasm',
      LOG_LEVEL: 'debug',
      REDIS_URL: 'redis://cache:6379',
      REDIS_PREFIX: 'chat-eu',
      TRAINING_WORKER: 'false',
      MAX_CONVERSATION_TURNS: '50',
      CHAT_INACTIVE_VERSIONS: 'true',
      CHAT_API_KEYS: ' key-one-0123456789abcdef , key-two-0123456789abcdef',
      CHAT_API_STORE: 'on',
      METRICS: 'off',
      METRICS_PORT: '9464',
      DECODER_THREADS: '0',
      CHAT_MAX_TOKENS: '64',
      CHAT_MAX_BEAM_WIDTH: '4',
      CHAT_MAX_CANDIDATES: '8',
      CHAT_MAX_COMPARE: '2',
      CHAT_IGNORE_EOS: 'true',
      CHAT_SOCKETS_PER_ADDRESS: '4',
      CHAT_CONVERSATIONS_PER_MINUTE: '5',
      SERVE_MAX_ROWS: '32',
      SERVE_MAX_QUEUED: '0',
      SERVE_REPLIES_PER_ADDRESS: '2',
      TRUSTED_PROXIES: '10.0.0.2, ::FFFF:127.0.0.1',
      DEFAULT_DECODING: '{"strategy":"sample","topP":0.9}',
    });
    expect(config).toMatchObject({ maxConversationTurns: 50, chatInactiveVersions: true, decoderThreads: 0, defaultDecoding: { strategy: 'sample', topP: 0.9 } });
    expect(config).toMatchObject({ port: 8080, maxMessageChars: 500, tfBackend: 'wasm', logLevel: 'debug' });
    expect(config).toMatchObject({ redisUrl: 'redis://cache:6379', redisPrefix: 'chat-eu', trainingWorker: false });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config).toMatchObject({
      chatDecodingCaps: { maxTokens: 64, beamWidth: 4, candidates: 8, ignoreEos: true },
      chatMaxCompare: 2,
      chatSocketsPerAddress: 4,
      chatConversationsPerMinute: 5,
      serving: { maxRows: 32, maxQueued: 0, perClient: 2 },
      trustedProxies: ['10.0.0.2', '127.0.0.1'],
    });
    expect(config).toMatchObject({ chatApiKeys: ['key-one-0123456789abcdef', 'key-two-0123456789abcdef'], chatApiStore: true, metrics: { enabled: false, port: 9464 } });
  });

  test.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer between 0 and 65535 (got "abc")'],
    [{ PORT: '65536' }, 'Invalid configuration: PORT must be an integer between 0 and 65535 (got "65536")'],
    [{ MAX_MESSAGE_CHARS: '0' }, 'Invalid configuration: MAX_MESSAGE_CHARS must be an integer between 1 and 100000 (got "0")'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ TF_BACKEND: 'gpu' }, 'Invalid configuration: TF_BACKEND must be one of auto, node, wasm, cpu (got "gpu")'],
    [{ TF_NATIVE: 'on' }, 'Invalid configuration: TF_NATIVE must be one of auto, off (got "on")'],
    [{ CORS_ORIGINS: 'not a url' }, 'Invalid configuration: CORS_ORIGINS must be * or comma-separated origins like https://chat.example.com (got "not a url")'],
    [{ DEFAULT_DECODING: 'beam' }, 'Invalid configuration: DEFAULT_DECODING must be a JSON object of decoding settings, e.g. {"strategy":"beam","beamWidth":4} (got "beam")'],
    [{ DEFAULT_DECODING: '{"strategy":"beam","candidates":4}' }, 'Invalid configuration: DEFAULT_DECODING candidates applies to greedy and sampled replies'],
    [{ DEFAULT_DECODING: '{"beamWidth":99}' }, 'Invalid configuration: DEFAULT_DECODING'],
    [{ DECODER_THREADS: '-1' }, 'Invalid configuration: DECODER_THREADS must be an integer between 0 and 256 (got "-1")'],
    [{ METRICS: 'yes' }, 'Invalid configuration: METRICS must be one of on, off (got "yes")'],
    [{ METRICS_PORT: '3000' }, 'Invalid configuration: METRICS_PORT must differ from PORT (got "3000")'],
    // Secrets are never echoed.
    [{ CHAT_API_KEYS: 'a-long-enough-key-but, short' }, 'Invalid configuration: CHAT_API_KEYS must be comma-separated keys of at least 16 characters, without spaces (value hidden)'],
    [{ CHAT_API_KEYS: 'a-long-enough key-with-a-space' }, 'Invalid configuration: CHAT_API_KEYS must be comma-separated keys of at least 16 characters, without spaces (value hidden)'],
    [{ ADMIN_TOKEN: 'short' }, 'Invalid configuration: ADMIN_TOKEN must be at least 16 characters (value hidden)'],
    // Issue 22: a token with whitespace passed start-up but no Bearer header can carry it.
    [{ ADMIN_TOKEN: 'a-long-enough token' }, 'Invalid configuration: ADMIN_TOKEN must not contain whitespace (a Bearer header cannot carry it) (value hidden)'],
    [{ ADMIN_TOKEN: 'a-long-enough-token\n' }, 'Invalid configuration: ADMIN_TOKEN must not contain whitespace (a Bearer header cannot carry it) (value hidden)'],
    [{ MAX_CONVERSATION_TURNS: '1' }, 'Invalid configuration: MAX_CONVERSATION_TURNS must be an integer between 2 and 1000000 (got "1")'],
    [{ CHAT_INACTIVE_VERSIONS: 'yes' }, 'Invalid configuration: CHAT_INACTIVE_VERSIONS must be one of true, false (got "yes")'],
    [{ CHAT_MAX_TOKENS: '513' }, 'Invalid configuration: CHAT_MAX_TOKENS must be an integer between 1 and 512 (got "513")'],
    [{ CHAT_IGNORE_EOS: 'on' }, 'Invalid configuration: CHAT_IGNORE_EOS must be one of true, false (got "on")'],
    [{ TRUSTED_PROXIES: 'nginx' }, 'Invalid configuration: TRUSTED_PROXIES must be comma-separated IP addresses like 10.0.0.2,::1 (got "nginx")'],
    [{ DATABASE_URL: 'mysql://u:secret@h/db' }, 'Invalid configuration: DATABASE_URL must be a URL starting with postgres:// or postgresql:// (value hidden)'],
  ])('rejects %j with one line naming the setting', (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });
});

describe('.env.example', () => {
  it('lists every setting the service reads, and nothing else', () => {
    const text = readFileSync(path.join(__dirname, '../../.env.example'), 'utf8');
    const entries = text.split('\n').flatMap((line) => {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      return m ? [[m[1], m[2]] as const] : [];
    });
    expect(entries.map(([name]) => name).sort()).toEqual([...SETTING_NAMES].sort());
    // and the values it shows are ones the service accepts (empty = unset)
    expect(() => parseConfig(Object.fromEntries(entries.filter(([, value]) => value !== '')))).not.toThrow();
  });
});
