import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IntakeErrorCode, IntakeException } from '../intake/intake.exception.js';

const CONSUMES = 'cie:consumes';
/** The media type a route accepts; anything else is a 415. */
export const Consumes = (mediaType: string) => SetMetadata(CONSUMES, mediaType);

@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.reflector.get<string | undefined>(CONSUMES, context.getHandler());
    if (!expected) return true;
    const actual = (context.switchToHttp().getRequest<Request>().headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (actual !== expected) {
      throw new IntakeException(
        IntakeErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `Content-Type must be ${expected}, got ${actual || 'none'}`,
      );
    }
    return true;
  }
}
