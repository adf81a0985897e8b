import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/** Rate limits count per agency (after AgencyAuthGuard), not per client address. */
@Injectable()
export class AgencyThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const agency = req['agency'] as { agencyId?: string } | undefined;
    return Promise.resolve(agency?.agencyId ?? String(req['ip']));
  }
}
