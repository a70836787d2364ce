import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

export interface ChatIoOptions {
  /** CORS_ORIGINS: checked at every handshake (originAllowed), and sent as CORS headers for long-polling. */
  corsOrigins?: string[];
  /** REDIS_URL and REDIS_PREFIX: the socket.io Redis adapter joins the instances' rooms. */
  redis?: { url: string; prefix: string };
}

/**
 * Whether a browser page on `origin` may open a socket.io connection to `host` (the request's Host header): the
 * same origin always, the CORS_ORIGINS (or any with *) too. Browsers apply CORS to long-polling but not to
 * WebSockets, so the server decides at the handshake, for both transports alike (issue 22). A request without
 * Origin is not from a browser page: CORS protects browsers' users, and other clients can send any Origin anyway.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, corsOrigins: string[] = []): boolean {
  if (origin === undefined) return true;
  if (!URL.canParse(origin)) return false; // includes "null" (sandboxed frames, file:// pages)
  const { origin: normalized, host: originHost } = new URL(origin);
  return originHost === host || corsOrigins.includes('*') || corsOrigins.some((o) => URL.canParse(o) && new URL(o).origin === normalized);
}

/**
 * socket.io as configured (gateway decorators are static, so settings come in through the adapter): handshakes
 * from allowed origins only, CORS headers for long-polling, and with Redis the official adapter, so a reply
 * emitted to a conversation's room on one instance reaches the holder's sockets on every instance.
 */
export class ChatIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly options: ChatIoOptions,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.options.corsOrigins;
    const cors = origins ? { cors: { origin: origins.includes('*') ? true : origins } } : {};
    const allowRequest: ServerOptions['allowRequest'] = (request, answer) => {
      const allowed = originAllowed(request.headers.origin, request.headers.host, origins);
      answer(allowed ? null : 'origin not allowed (CORS_ORIGINS)', allowed);
    };
    const server = super.createIOServer(port, { ...options, ...cors, allowRequest } as ServerOptions) as Server;
    const redis = this.options.redis;
    if (redis) {
      const pub = new Redis(redis.url);
      const sub = pub.duplicate();
      this.clients.push(pub, sub);
      server.adapter(createAdapter(pub, sub, { key: `${redis.prefix}:socket.io` }));
    }
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await Promise.allSettled(this.clients.splice(0).map((client) => client.quit()));
  }
}
