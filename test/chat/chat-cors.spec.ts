/**
 * Issue 22: CORS_ORIGINS held for socket.io's long-polling (through CORS headers a browser obeys) but not for the
 * WebSocket transport, which no CORS applies to: a page on any origin could open the chat over WebSocket.
 * Now the handshake itself is refused, on both transports, for an Origin that is neither allowed nor the same.
 */
import type { INestApplication } from '@nestjs/common';
import { io } from 'socket.io-client';
import { originAllowed } from '../../src/chat/chat-io-adapter';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { adminTestDirs, appUrl, startAdminApp } from '../admin/admin-test-app';

describe(originAllowed.name, () => {
  test.each([
    [undefined, 'chat.example', undefined, true], // not a browser: CORS protects browsers' users, others can send any Origin
    ['http://chat.example:3000', 'chat.example:3000', undefined, true], // the page the service serves itself
    ['http://evil.example', 'chat.example:3000', undefined, false],
    ['https://chat.example:3000', 'chat.example:3000', undefined, true],
    ['https://app.example', 'api.example', ['https://app.example'], true],
    ['https://app.example/', 'api.example', ['https://app.example'], true],
    ['https://evil.example', 'api.example', ['https://app.example'], false],
    ['https://app.example.evil.example', 'api.example', ['https://app.example'], false],
    ['https://anything.example', 'api.example', ['*'], true],
    ['null', 'api.example', ['https://app.example'], false], // sandboxed frames and file:// pages
    ['not a url', 'api.example', undefined, false],
  ])('Origin %s to host %s with CORS_ORIGINS %j: %s', (origin, host, corsOrigins, allowed) => {
    expect(originAllowed(origin, host, corsOrigins)).toBe(allowed);
  });
});

describe('socket.io handshakes under CORS_ORIGINS', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startAdminApp(db.prisma, await adminTestDirs(), { CORS_ORIGINS: 'https://chat.example' });
    url = await appUrl(app);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const connects = (transport: 'websocket' | 'polling', origin?: string) =>
    new Promise<boolean>((resolve) => {
      const socket = io(`${url}/chat`, { transports: [transport], extraHeaders: origin ? { origin } : {}, reconnection: false, forceNew: true });
      socket.once('connect', () => (socket.close(), resolve(true)));
      socket.once('connect_error', () => (socket.close(), resolve(false)));
    });

  test.each([
    ['websocket', 'https://evil.example', false],
    ['polling', 'https://evil.example', false],
    ['websocket', 'https://chat.example', true],
    ['polling', 'https://chat.example', true],
    ['websocket', undefined, true],
  ] as const)('%s from %s connects: %s', async (transport, origin, expected) => {
    expect(await connects(transport, origin)).toBe(expected);
  });
});
