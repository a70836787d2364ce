import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

export interface ChatIoOptions {
  /** CORS_ORIGINS: socket.io's HTTP long-polling is subject to CORS like the HTTP API. */
  corsOrigins?: string[];
  /** REDIS_URL and REDIS_PREFIX: the socket.io Redis adapter joins the instances' rooms. */
  redis?: { url: string; prefix: string };
}

/**
 * socket.io as configured (gateway decorators are static, so settings come in through the adapter): the
 * configured CORS origins, and with Redis the official adapter, so a reply emitted to a conversation's room
 * on one instance reaches the holder's sockets on every instance.
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
    const server = super.createIOServer(port, { ...options, ...cors } as ServerOptions) as Server;
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
