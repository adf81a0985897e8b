import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SignInRequired } from '../session/session.guard.js';
import { html } from './html.js';
import { page, problemBox } from './layout.js';

/**
 * The console's one filter: no session sends a page to the sign-in form (a live stream gets 401,
 * and the page script reloads to sign in); anything else is an HTML error page.
 */
@Catch()
export class HtmlExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof SignInRequired) {
      if (request.path.endsWith('/live')) response.status(401).end();
      else response.redirect(303, `/sign-in?next=${encodeURIComponent(exception.next)}`);
      return;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status >= 500)
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : exception);
    const detail =
      status >= 500
        ? 'The console failed; the error is in its log.'
        : exception instanceof Error
          ? exception.message
          : undefined;
    const title =
      status === 404
        ? 'Not found'
        : status === 403
          ? 'Forbidden'
          : status >= 500
            ? 'Console error'
            : 'Bad request';
    response
      .status(status)
      .type('html')
      .send(
        page(
          title,
          html`${problemBox({ status, title, ...(detail ? { detail } : {}) }, `opening ${request.path}`)}
            <p><a href="/">Back</a></p>`,
        ).value,
      );
  }
}
