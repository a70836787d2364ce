/** What an SSE response needs of Node's ServerResponse (Express's response is one). */
export interface StreamingResponse {
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  flushHeaders(): void;
  write(chunk: string): boolean;
  end(): unknown;
}

/**
 * Server-sent events as OpenAI streams them: `data: <json>` events, the last one `data: [DONE]`. No event names, no
 * ids, no retry: the clients read data lines only. Writes after the client left are dropped.
 */
export class SseResponse {
  constructor(private readonly response: StreamingResponse) {}

  open(): void {
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // nginx (deploy/nginx.conf) would otherwise buffer the tokens
    });
    this.response.flushHeaders();
  }

  send(data: object | '[DONE]'): void {
    if (this.response.writableEnded || this.response.destroyed) return;
    this.response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.response.writableEnded) this.response.end();
  }
}
