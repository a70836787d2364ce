import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Header, Logger, NotFoundException, Param, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/**
 * The chat page: plain files from src/chat/page, read once at start-up and served from memory.
 * They are looked for beside this file (dist/chat/page once the build copies them), then in the source folder.
 * Without them the service still runs (the chat is the websocket API); the page answers 503 and start-up logs why.
 */
const PAGE_DIRS = [path.join(__dirname, 'page'), path.resolve(__dirname, '..', '..', 'src', 'chat', 'page')];
const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'style.css': 'text/css; charset=utf-8' };
// The page loads only its own files and talks only to its own origin.
const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

@ApiExcludeController()
@Controller()
export class ChatPageController {
  private readonly files = readPage();

  constructor() {
    if (this.files.size === 0) new Logger(ChatPageController.name).error(`chat page not found in ${PAGE_DIRS.join(' or ')}; / answers 503`);
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  index(): string {
    const page = this.files.get('index.html');
    if (page === undefined) throw new ServiceUnavailableException('the chat page is not installed');
    return page;
  }

  @Get('chat-page/:file')
  @Header('Cache-Control', 'no-cache') // revalidated by ETag: a deploy shows at once, a reload costs a 304
  @Header('X-Content-Type-Options', 'nosniff')
  asset(@Param('file') file: string, @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void }): string {
    const body = ASSETS[file] ? this.files.get(file) : undefined;
    if (body === undefined) throw new NotFoundException();
    response.setHeader('Content-Type', ASSETS[file]);
    return body;
  }
}

function readPage(): Map<string, string> {
  const dir = PAGE_DIRS.find((d) => existsSync(path.join(d, 'index.html')));
  if (!dir) return new Map();
  return new Map(['index.html', ...Object.keys(ASSETS)].map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));
}
