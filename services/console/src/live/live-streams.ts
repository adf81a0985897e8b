import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleConfig } from '../console.config.js';
import type { Html } from '../html/html.js';

/**
 * Server-sent events that keep a page region current: the server re-reads the APIs every
 * REFRESH_INTERVAL_MS with the session's key and sends the region's HTML when it changed. One
 * renderer builds a region for the first page load and for every update, so both always agree.
 */
@Injectable()
export class LiveStreams implements BeforeApplicationShutdown {
  private readonly open = new Set<Response>();

  constructor(private readonly config: ConsoleConfig) {}

  stream(request: Request, response: Response, render: () => Promise<Html>): void {
    response.status(200);
    response.setHeader('content-type', 'text/event-stream; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-accel-buffering', 'no');
    response.flushHeaders();
    response.write('retry: 3000\n\n');
    this.open.add(response);
    let last = '';
    let busy = false;
    let ticks = 0;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const fragment = (await render()).value;
        if (fragment !== last) {
          last = fragment;
          response.write(`event: fragment\n${fragment.replace(/\r/g, '').replace(/^/gm, 'data: ')}\n\n`);
        } else if (++ticks % 10 === 0) {
          response.write(': keep-alive\n\n');
        }
      } catch {
        // the next tick tries again; the page keeps what it shows
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), this.config.REFRESH_INTERVAL_MS);
    void tick();
    request.on('close', () => {
      clearInterval(timer);
      this.open.delete(response);
    });
  }

  /** Open streams would hold the graceful shutdown for its whole timeout: end them first. */
  beforeApplicationShutdown(): void {
    for (const response of this.open) response.end();
    this.open.clear();
  }
}
