import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';

/**
 * socket.io with the same CORS_ORIGINS as the HTTP API (socket.io's HTTP long-polling is subject to CORS;
 * gateway decorators are static, so the configured origins come in through the adapter).
 */
export class CorsIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly origins: string[],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions) {
    const origin = this.origins.includes('*') ? true : this.origins;
    return super.createIOServer(port, { ...options, cors: { origin } } as ServerOptions);
  }
}
