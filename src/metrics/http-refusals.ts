import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ServingMetrics } from './serving-metrics';

/**
 * Counts every HTTP response of status 400 and over in hred_refusals_total{channel="http", code=<status>}. It listens
 * on the HTTP server itself, not as Nest middleware: the body parser answers a bad body (400, 413) before any
 * middleware of a module runs, and those refusals count too.
 */
@Injectable()
export class HttpRefusals implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly onRequest = (_request: IncomingMessage, response: ServerResponse) => {
    response.once('finish', () => {
      if (response.statusCode >= 400) this.metrics.refused('http', String(response.statusCode));
    });
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: ServingMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined; // none in an application context
    this.server?.on('request', this.onRequest);
  }

  onApplicationShutdown(): void {
    this.server?.off('request', this.onRequest);
  }
}
