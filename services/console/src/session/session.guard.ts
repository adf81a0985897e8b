import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import { type Session, SessionStore } from './session.store.js';

export const SESSION_COOKIE = 'cie_console_session';

/** Thrown when a page needs a signed-in user; the filter sends the browser to the sign-in page. */
export class SignInRequired extends Error {
  constructor(readonly next: string) {
    super('sign in required');
  }
}

export type SessionRequest = Request & { consoleSession?: Session };

export function cookieOf(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * Every page but sign-in needs a session; every form post must carry the session's token, so a
 * page of another site cannot make a signed-in browser post here (the cookie is SameSite=Strict too).
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionStore) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SessionRequest>();
    const session = this.sessions.touch(cookieOf(request, SESSION_COOKIE));
    if (!session) throw new SignInRequired(request.method === 'GET' ? request.originalUrl : '/');
    if (request.method !== 'GET') {
      const token = (request.body as Record<string, unknown> | undefined)?.['_csrf'];
      if (token !== session.csrf) throw new ForbiddenException('The form has expired: reload the page.');
    }
    request.consoleSession = session;
    return true;
  }
}

export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext): Session =>
    context.switchToHttp().getRequest<SessionRequest>().consoleSession!,
);
