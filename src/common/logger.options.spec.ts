import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import pinoHttp, { type Options } from 'pino-http';
import { loggerOptions, redactUrl } from './logger.options';

describe(redactUrl.name, () => {
  test.each([
    ['/admin/models?token=abc', '/admin/models?token=[redacted]'],
    ['/x?a=1&access_token=abc&b=2', '/x?a=1&access_token=[redacted]&b=2'],
    ['/x?resumeToken=abc&API_KEY=k&password=p&client_secret=s&X-Amz-Signature=z', '/x?resumeToken=[redacted]&API_KEY=[redacted]&password=[redacted]&client_secret=[redacted]&X-Amz-Signature=[redacted]'],
    ['/socket.io/?EIO=4&transport=polling&sid=abc', '/socket.io/?EIO=4&transport=polling&sid=[redacted]'],
    ['/x?to%6Ben=abc', '/x?to%6Ben=[redacted]'], // an escaped name is still that name
    ['/x?page=2&tokenizer', '/x?page=2&tokenizer'], // a flag without a value carries nothing
    ['/health', '/health'],
    ['/x?%E0%A4%A=1', '/x?%E0%A4%A=1'], // a malformed escape is left alone
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

// Issue 22: a token sent as ?token= was refused, but written in full to the request log.
describe('the request log', () => {
  let server: Server;
  const lines: string[] = [];

  beforeAll(async () => {
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    const logger = pinoHttp(loggerOptions({ logLevel: 'info' }).pinoHttp as Options, stream);
    server = createServer((req, res) => {
      logger(req, res);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('writes no secret from the URL or the headers', async () => {
    const { port } = server.address() as { port: number };
    await fetch(`http://127.0.0.1:${port}/admin/models?token=query-secret-1&page=2`, { headers: { authorization: 'Bearer header-secret-2', cookie: 'sid=cookie-secret-3' } });
    await new Promise((resolve) => setImmediate(resolve));
    const log = lines.join('');
    expect(log).toContain('/admin/models?token=[redacted]&page=2');
    expect(log).not.toMatch(/query-secret|header-secret|cookie-secret/);
  });
});
