import type { Clock, IdGenerator } from '@cie/platform';
import type { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { Deliverer } from '../delivery/deliverer.js';
import { LedgerRepository } from '../delivery/ledger.repository.js';
import type { Catalogue } from '../domain/catalogue.js';
import { FEED_PSEUDONYM_SCHEME, type SubjectIdentityService } from '../identity/subject-identity.service.js';
import { DisputesHandler } from '../lifecycle/disputes.handler.js';
import { DisputesRepository } from '../lifecycle/disputes.repository.js';
import { ExpiryHandler } from '../lifecycle/expiry.handler.js';
import { RecordSteps } from '../lifecycle/record-steps.js';
import { RepairsHandler } from '../lifecycle/repairs.handler.js';
import type { WorkingCalendar } from '../lifecycle/working-days.js';
import { JointMeasuresHandler } from '../measures/joint-measures.handler.js';
import type { JointMeasures } from '../measures/measures.loader.js';
import { MeasuresRepository } from '../measures/measures.repository.js';
import { PolicyChangeHandler } from '../policy/policy-change.handler.js';
import { PublicationHandler } from '../publication/publication.handler.js';
import { RecordsRepository } from '../records/records.repository.js';
import type { PolicyHolder } from '../routing/policy-holder.js';
import { BatchProcessor } from './batch-processor.js';
import { handlerRegistry } from './handlers.js';
import { OutboxRepository } from './outbox.repository.js';
import type { ProgressRepository } from './progress.repository.js';

/** The pipeline and its handlers, wired once: repositories → deliverer → handlers → batch processor. */
export function createBatchProcessor(deps: {
  db: DataSource;
  clock: Clock;
  ids: IdGenerator;
  identity: SubjectIdentityService;
  policies: PolicyHolder;
  catalogue: Catalogue;
  progress: ProgressRepository;
  jointMeasures: JointMeasures;
  calendar: WorkingCalendar;
  /** Who the audit log says acted: this exchange instance. */
  actor: string;
}): BatchProcessor {
  const { actor } = deps;
  const records = new RecordsRepository(deps.identity);
  const ledger = new LedgerRepository();
  const outbox = new OutboxRepository();
  const disputes = new DisputesRepository();
  const deliverer = new Deliverer(
    deps.policies,
    deps.ids,
    ledger,
    records,
    actor,
    deps.identity,
    FEED_PSEUDONYM_SCHEME,
  );
  const steps = new RecordSteps(records, deliverer, outbox, actor);
  const publication = new PublicationHandler(records, deliverer, deps.ids, deps.identity, deps.catalogue);
  const measures = new JointMeasuresHandler(
    deps.jointMeasures,
    new MeasuresRepository(),
    records,
    deps.policies,
    deps.ids,
    deps.calendar,
    actor,
    deps.identity,
  );
  const handlers = handlerRegistry({
    publication,
    disputes: new DisputesHandler(records, disputes, deliverer, steps, actor),
    repairs: new RepairsHandler(records, disputes, steps, actor),
    expiry: new ExpiryHandler(records, disputes, steps),
    policy: new PolicyChangeHandler(records, ledger, deliverer),
    measures,
  });
  return new BatchProcessor(
    deps.db,
    deps.clock,
    deps.ids,
    new AuditLog({ clock: deps.clock }),
    deps.progress,
    outbox,
    publication,
    handlers,
    measures,
  );
}
