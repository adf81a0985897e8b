import { createHash } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { AgencyRequestType, PolicyChangedSchema, Topics } from '@cie/contracts';
import {
  type Clock,
  ConfigurationError,
  ensureTopics,
  type TopicSettings,
  type EventPublisher,
  type IdGenerator,
  retryWhileLeadersSettle,
} from '@cie/platform';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { AuditLog } from '../audit/audit-log.js';
import type { SubscriberPolicy } from '../domain/routing.js';
import type { PolicyHolder } from './policy-holder.js';
import { loadPolicyFiles, type PolicyDocument } from './subscriber-policy.loader.js';

export interface ReloadResult {
  changed: boolean;
  version: string;
  sha256: string;
  /** Why the files on disk were not taken (the policy in force stays). */
  problems?: string[];
}

export interface PolicyFiles {
  subscribersFile: string;
  releaseRulesFile: string;
  /** How often the files are checked for changes. */
  watchIntervalMs: number;
  /** How a new subscriber's feed topic is created. */
  topicSettings: TopicSettings;
}

/** Canonical JSON (sorted keys): the same document always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
export const documentHash = (document: PolicyDocument) =>
  createHash('sha256').update(canonical(document)).digest('hex');

/**
 * The subscriber policy's versions (DESIGN §7): loaded from its files at start and whenever they
 * change (polled, so a Kubernetes ConfigMap update is seen), validated before it replaces the one
 * in force (a broken file is refused with its problems and changes nothing), recorded in
 * `exchange.policy_versions` with an audit entry, and announced on the commands topic so that the
 * ingest pipeline withdraws, exactly once, what subscribers may no longer hold.
 */
export class PolicyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PolicyService.name);
  private sha256: string;
  private loadedAt: Date;
  private lastProblems: string[] = [];
  private reloading: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly holder: PolicyHolder,
    private readonly initial: PolicyDocument,
    private readonly files: PolicyFiles,
    private readonly db: DataSource,
    private readonly kafka: Kafka,
    private readonly commands: EventPublisher,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly instance: string,
  ) {
    this.sha256 = documentHash(initial);
    this.loadedAt = clock.now();
  }

  async onApplicationBootstrap(): Promise<void> {
    // The version in force at start is recorded too: files changed while the exchange was down count.
    // Its announcement may meet a fresh broker whose leaders are still settling.
    await retryWhileLeadersSettle(() => this.record(this.initial, this.holder.current, this.sha256));
    const onChange = () =>
      void this.reload('file change').catch((error: unknown) =>
        this.logger.error(
          `policy reload failed, the one in force stays (POST /v1/policy/reload retries): ${String(error)}`,
        ),
      );
    for (const file of [this.files.subscribersFile, this.files.releaseRulesFile])
      watchFile(file, { interval: this.files.watchIntervalMs, persistent: false }, onChange);
  }

  onApplicationShutdown(): void {
    unwatchFile(this.files.subscribersFile);
    unwatchFile(this.files.releaseRulesFile);
  }

  status() {
    return {
      version: this.holder.current.version,
      sha256: this.sha256,
      loadedAt: this.loadedAt.toISOString(),
      problems: this.lastProblems,
    };
  }

  /** Reads the files again; a valid, different policy replaces the one in force. One at a time. */
  reload(trigger: string): Promise<ReloadResult> {
    const next = this.reloading.catch(() => undefined).then(() => this.reloadNow(trigger));
    this.reloading = next;
    return next;
  }

  private async reloadNow(trigger: string): Promise<ReloadResult> {
    let document: PolicyDocument;
    let policy: SubscriberPolicy;
    try {
      ({ document, policy } = loadPolicyFiles(this.files.subscribersFile, this.files.releaseRulesFile));
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      this.lastProblems = error.problems;
      this.logger.error(`policy not reloaded (${trigger}); the one in force stays:\n${error.message}`);
      return {
        changed: false,
        version: this.holder.current.version,
        sha256: this.sha256,
        problems: error.problems,
      };
    }
    this.lastProblems = [];
    const sha256 = documentHash(document);
    if (sha256 === this.sha256) return { changed: false, version: policy.version, sha256 };
    // New subscribers' feeds exist before anything is routed to them.
    await ensureTopics(
      this.kafka,
      policy.subscribers.map((s) => ({ topic: Topics.feed(s.id) })),
      this.files.topicSettings,
    );
    await this.record(document, policy, sha256);
    this.holder.replace(policy);
    this.sha256 = sha256;
    this.loadedAt = this.clock.now();
    this.logger.log(`policy ${policy.version} in force (${trigger})`);
    return { changed: true, version: policy.version, sha256 };
  }

  /**
   * Stores a version once (whichever instance sees it first), audits the change and announces it;
   * the announcement is sent before the commit, so a version is never stored without it.
   */
  private async record(document: PolicyDocument, policy: SubscriberPolicy, sha256: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (em) => {
      const [previous] = await em.query<{ sha256: string; version: string; document: PolicyDocument }[]>(
        `SELECT sha256, version, document FROM exchange.policy_versions ORDER BY recorded_at DESC LIMIT 1`,
      );
      if (previous?.sha256 === sha256) return;
      const inserted = await em.query<{ sha256: string }[]>(
        `INSERT INTO exchange.policy_versions (sha256, version, document, previous_sha256, recorded_at, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
        [sha256, policy.version, document, previous?.sha256 ?? null, now, this.instance],
      );
      if (inserted.length === 0) return; // an older version coming back: recorded before, announced then
      await this.audit.append(em, [
        {
          kind: 'policy_change',
          actor: this.instance,
          details: {
            version: policy.version,
            sha256,
            previousVersion: previous?.version ?? null,
            previousSha256: previous?.sha256 ?? null,
            ...(previous ? subscriberChanges(previous.document, document) : {}),
          },
        },
      ]);
      await this.commands.publish(
        Topics.exchangeCommands,
        sha256,
        PolicyChangedSchema,
        create(PolicyChangedSchema, { sha256, version: policy.version }),
        {
          id: this.ids.next(),
          source: `/exchange/${this.instance}/policy`,
          type: AgencyRequestType.policyChanged,
          time: now,
          subject: sha256,
        },
      );
    });
  }
}

/** Which subscribers a new version adds, removes or changes, for the audit entry. */
function subscriberChanges(before: PolicyDocument, after: PolicyDocument) {
  const entries = (d: PolicyDocument) =>
    new Map(
      ((d.subscribers as { subscribers?: { id: string }[] }).subscribers ?? []).map((s) => [
        s.id,
        canonical(s),
      ]),
    );
  const a = entries(before);
  const b = entries(after);
  return {
    subscribersAdded: [...b.keys()].filter((id) => !a.has(id)),
    subscribersRemoved: [...a.keys()].filter((id) => !b.has(id)),
    subscribersChanged: [...b.keys()].filter((id) => a.has(id) && a.get(id) !== b.get(id)),
    releaseRulesChanged: canonical(before.releaseRules) !== canonical(after.releaseRules),
  };
}
