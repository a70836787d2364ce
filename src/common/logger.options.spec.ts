import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp, { type Options } from 'pino-http';
import { loggerOptions } from './logger.options';

describe(loggerOptions.name, () => {
  test('the request log never holds a bearer token (admin token, API keys) or a cookie', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { transport: _, ...options } = loggerOptions({ logLevel: 'info' }).pinoHttp as Options;
    const log = pinoHttp(options, stream);
    const server = createServer((request, response) => {
      log(request, response);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: 'Bearer secret-api-key-0123456789', cookie: 'session=secret-cookie' } }).then((r) => r.text());
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const logged = lines.join('');
    expect(logged).toContain('/v1/models'); // the request was logged
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain('secret-api-key');
    expect(logged).not.toContain('secret-cookie');
  });
});
