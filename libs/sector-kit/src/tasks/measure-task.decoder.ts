import { timestampDate } from '@bufbuild/protobuf/wkt';
import { type CloudEventContext, type MeasureTask, MeasureTaskSchema, TaskKind } from '@cie/contracts';
import { decodePayload, RefusalError, requirePlainText, requireUuid, unstorableText } from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import type { MeasureTaskRow } from './measure-tasks.repository.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A MeasureTask off the requests topic as the inbox stores it, or a refusal naming the field: ids
 * that a uuid column would reject, a kind that is neither apply nor lift, a lift without the task it
 * lifts, dates that are not ISO dates, text PostgreSQL cannot store.
 */
export function measureTaskRow(message: KafkaMessage, context: CloudEventContext, now: Date): MeasureTaskRow {
  if (context.dataschema !== MeasureTaskSchema.typeName)
    throw new RefusalError('undecodable', `${context.type} must be a ${MeasureTaskSchema.typeName}`);
  const t = decodePayload(MeasureTaskSchema, message);
  storable(t);
  const kind = t.kind === TaskKind.APPLY ? 'apply' : t.kind === TaskKind.LIFT ? 'lift' : undefined;
  if (!kind)
    throw new RefusalError('invalid_field', 'kind must be TASK_KIND_APPLY or TASK_KIND_LIFT', 'kind');
  return {
    task_id: requireUuid('task_id', t.taskId),
    kind,
    lifts_task_id: kind === 'lift' ? requireUuid('lifts_task_id', t.liftsTaskId) : null,
    agency_id: required('implementer_id', t.implementerId),
    entry_id: requireUuid('entry_id', t.entryId),
    list_type: t.listType,
    list_colour: t.listColour,
    memorandum_id: t.memorandumId,
    document_number: t.documentNumber,
    measure_id: required('measure_id', t.measureId),
    measure_text: t.measureText,
    legal_basis: t.legalBasis,
    mode: t.mode,
    scenarios: [...t.scenarios],
    targets: [...t.targets],
    subject_kind: t.subjectKind,
    subject_id: required('subject_id', t.subjectId),
    subject_name: t.subjectName,
    record_id: t.recordId,
    listed_at: t.listedAt ? timestampDate(t.listedAt) : null,
    applies_until: isoDate('applies_until', t.appliesUntil),
    due_by: isoDate('due_by', t.dueBy),
    issued_at: t.issuedAt ? timestampDate(t.issuedAt) : context.time,
    end_reason: t.endReason,
    state: 'delivered',
    answered_at: null,
    event_id: requireUuid('ce_id', context.id),
    received_at: now,
  };
}

function required(field: string, value: string): string {
  if (!value) throw new RefusalError('invalid_field', `${field} is required`, field);
  return requirePlainText(field, value);
}

function isoDate(field: string, value: string): string | null {
  if (!value) return null;
  if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
    throw new RefusalError('invalid_field', `${field} must be an ISO 8601 date`, field);
  return value;
}

/** Every text field of the task, and each scenario and target, holds only storable characters. */
function storable(task: MeasureTask): void {
  for (const [field, value] of Object.entries(task)) {
    const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
    for (const text of texts) {
      const problem = typeof text === 'string' ? unstorableText(text) : undefined;
      if (problem) throw new RefusalError('invalid_field', `${snake(field)} ${problem}`, snake(field));
    }
  }
}

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
