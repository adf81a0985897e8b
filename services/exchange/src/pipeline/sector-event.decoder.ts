import { fromBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import {
  AgencyRequestType,
  type CloudEventContext,
  CreditEventType,
  type DisputeFiled,
  DisputeFiledSchema,
  type DisputeResolution,
  DisputeResolutionSchema,
  type ExpiryDue,
  MAX_RECORD_BYTES,
  ExpiryDueSchema,
  type PolicyChanged,
  PolicyChangedSchema,
  type RecordWithdrawal,
  RecordWithdrawalSchema,
  type RepairDecision,
  RepairDecisionSchema,
  type RepairRequested,
  RepairRequestedSchema,
  type TaskAnswer,
  TaskAnswerSchema,
  Topics,
} from '@cie/contracts';
import { InvalidEnvelopeError, readCloudEvent, type SourcePosition } from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { SECTOR_EVENT_TYPES, type SectorEvent } from '../domain/normalise/index.js';
import type { RefusalCode } from '../outbound.js';

export type { SourcePosition };

export type DecodedSectorEvent =
  /** A new record, or a new version of one the agency published before. */
  | (Envelope & { action: 'publish'; event: SectorEvent })
  | (Envelope & { action: 'correct'; event: SectorEvent })
  | {
      ok: true;
      position: SourcePosition;
      message: KafkaMessage;
      context: CloudEventContext;
      action: 'withdraw';
      withdrawal: RecordWithdrawal;
    }
  | (Envelope & { action: 'file_dispute'; dispute: DisputeFiled })
  | (Envelope & { action: 'request_repair'; repair: RepairRequested })
  | (Envelope & { action: 'expire'; expiry: ExpiryDue })
  | (Envelope & { action: 'apply_policy'; policy: PolicyChanged })
  | (Envelope & { action: 'resolve_dispute'; resolution: DisputeResolution })
  | (Envelope & { action: 'decide_repair'; decision: RepairDecision })
  /** An implementing agency's answer to a task: on its sector topic, or a subscriber's as a command. */
  | (Envelope & { action: 'answer_task'; answer: TaskAnswer })
  | {
      ok: false;
      position: SourcePosition;
      message: KafkaMessage;
      eventId?: string;
      reason: string;
      code: RefusalCode;
      /** The field at fault, when one is: a CloudEvents header (`ce_id`) or a payload path. */
      field?: string;
    };

/** A successfully decoded event of the given action(s). */
export type DecodedEvent<A extends Decoded['action'] = Decoded['action']> = Extract<Decoded, { action: A }>;
type Decoded = Extract<DecodedSectorEvent, { ok: true }>;

interface Envelope {
  ok: true;
  position: SourcePosition;
  message: KafkaMessage;
  context: CloudEventContext;
}

/**
 * Lifecycle messages other than a record's own publication: the exchange's commands (on its commands
 * topic) and the owning agency's answers (on its sector topic, in order with its other events).
 */
const LIFECYCLE_MESSAGES: Record<
  string,
  { schema: DescMessage; action: string; field: string; commands: boolean | 'either' }
> = {
  [AgencyRequestType.disputeFiled]: {
    schema: DisputeFiledSchema,
    action: 'file_dispute',
    field: 'dispute',
    commands: true,
  },
  [AgencyRequestType.repairRequested]: {
    schema: RepairRequestedSchema,
    action: 'request_repair',
    field: 'repair',
    commands: true,
  },
  [AgencyRequestType.policyChanged]: {
    schema: PolicyChangedSchema,
    action: 'apply_policy',
    field: 'policy',
    commands: true,
  },
  [AgencyRequestType.expiryDue]: {
    schema: ExpiryDueSchema,
    action: 'expire',
    field: 'expiry',
    commands: true,
  },
  [AgencyRequestType.disputeResolved]: {
    schema: DisputeResolutionSchema,
    action: 'resolve_dispute',
    field: 'resolution',
    commands: false,
  },
  [AgencyRequestType.repairDecided]: {
    schema: RepairDecisionSchema,
    action: 'decide_repair',
    field: 'decision',
    commands: false,
  },
  [AgencyRequestType.taskAnswered]: {
    schema: TaskAnswerSchema,
    action: 'answer_task',
    field: 'answer',
    commands: 'either',
  },
};

/** Checks the envelope and decodes the payload; anything wrong becomes a reason for the dead-letter topic. */
export function decodeSectorEvent(position: SourcePosition, message: KafkaMessage): DecodedSectorEvent {
  const envelopeRefused = (reason: string, field?: string): DecodedSectorEvent => ({
    ok: false,
    position,
    message,
    reason,
    code: 'invalid_envelope',
    ...(field !== undefined && { field }),
  });
  let context: CloudEventContext;
  try {
    context = readCloudEvent(message.headers);
  } catch (error) {
    if (error instanceof InvalidEnvelopeError)
      return envelopeRefused(`invalid envelope: ${error.message}`, error.header);
    return envelopeRefused(`invalid envelope: ${(error as Error).message}`);
  }
  // Event ids are stored as UUIDs: anything else is refused here, not by the database.
  if (!UUID.test(context.id))
    return envelopeRefused('invalid envelope: header ce_id must be a UUID', 'ce_id');
  const fail = (reason: string, code: RefusalCode = 'undecodable', field?: string): DecodedSectorEvent => ({
    ok: false,
    position,
    message,
    eventId: context.id,
    reason,
    code,
    ...(field !== undefined && { field }),
  });
  if (!message.value) return fail('empty payload');
  const lifecycle = LIFECYCLE_MESSAGES[context.type];
  const onCommands = position.topic === Topics.exchangeCommands;
  if (lifecycle) {
    if (lifecycle.commands !== 'either' && lifecycle.commands !== onCommands)
      return fail(`${context.type} does not belong on ${position.topic}`, 'undecodable', 'ce_type');
    if (context.dataschema !== lifecycle.schema.typeName)
      return fail(`${context.type} must be a ${lifecycle.schema.typeName}`, 'undecodable', 'ce_dataschema');
    try {
      const body: MessageShape<DescMessage> = fromBinary(lifecycle.schema, message.value);
      const problem = unstorableField(body, lifecycle.field);
      if (problem) return fail(problem.reason, 'invalid_field', problem.field);
      // The table pairs each action with its message type, which the union above spells out.
      return {
        ok: true,
        position,
        message,
        context,
        action: lifecycle.action,
        [lifecycle.field]: body,
      } as DecodedSectorEvent;
    } catch (error) {
      return fail(`payload is not a valid ${context.dataschema}: ${(error as Error).message}`);
    }
  }
  if (onCommands) return fail(`unsupported command type ${context.type}`, 'undecodable', 'ce_type');
  if (context.type === CreditEventType.withdrawn) {
    if (context.dataschema !== RecordWithdrawalSchema.typeName)
      return fail(
        `a withdrawal must be a ${RecordWithdrawalSchema.typeName}`,
        'undecodable',
        'ce_dataschema',
      );
    try {
      return {
        ok: true,
        position,
        message,
        context,
        action: 'withdraw',
        withdrawal: fromBinary(RecordWithdrawalSchema, message.value),
      };
    } catch (error) {
      return fail(`payload is not a valid ${context.dataschema}: ${(error as Error).message}`);
    }
  }
  const action =
    context.type === CreditEventType.published
      ? 'publish'
      : context.type === CreditEventType.corrected
        ? 'correct'
        : undefined;
  if (!action) return fail(`unsupported event type ${context.type}`, 'undecodable', 'ce_type');
  const type = SECTOR_EVENT_TYPES.get(context.dataschema);
  if (!type) return fail(`unsupported dataschema ${context.dataschema}`, 'undecodable', 'ce_dataschema');
  if (position.topic !== Topics.sectorEvents(type.sector))
    return fail(
      `dataschema ${context.dataschema} is a ${type.sector} event, not for ${position.topic}`,
      'undecodable',
      'ce_dataschema',
    );
  // Stored once, then sent to every entitled feed: a record the sector service would have refused
  // (a 900 kB obligation) is refused here too.
  if (message.value.length > MAX_RECORD_BYTES)
    return fail(
      `payload is ${message.value.length} bytes; a record event may be at most ${MAX_RECORD_BYTES}`,
      'too_large',
    );
  try {
    // The schema was chosen by the dataschema, so the message is that member of the union.
    const event = fromBinary(type.schema, message.value) as SectorEvent;
    return { ok: true, position, message, context, action, event };
  } catch (error) {
    return fail(`payload is not a valid ${context.dataschema}: ${(error as Error).message}`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Fields of the lifecycle messages that are stored as UUIDs. */
const UUID_FIELDS = new Set(['disputeId', 'recordId', 'requestId', 'taskId']);
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * What PostgreSQL would refuse on every retry, named by field: a control character (NUL above all)
 * in any text, or an id stored as a UUID that is not one. Walks the decoded message without recursion.
 */
export function unstorableField(body: object, root: string): { field: string; reason: string } | undefined {
  const stack: [string, unknown][] = [[root, body]];
  while (stack.length > 0) {
    const [path, value] = stack.pop()!;
    if (typeof value === 'string') {
      if (CONTROL_CHARACTERS.test(value))
        return { field: path, reason: `${path} contains a control character` };
      const field = path.slice(path.lastIndexOf('.') + 1);
      if (UUID_FIELDS.has(field) && !UUID.test(value))
        return { field: path, reason: `${path} must be a UUID` };
    } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
      for (const [key, child] of Object.entries(value))
        if (key !== '$typeName') stack.push([`${path}.${key}`, child]);
    }
  }
  return undefined;
}
