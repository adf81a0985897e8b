import { type Html, html } from '../html/html.js';
import { csrfField, when } from '../html/layout.js';
import type { Session } from '../session/session.store.js';

/**
 * The two requests a subject files about a record (DESIGN §8): a dispute (异议) and a credit repair
 * request (信用修复). Both are filed at the exchange, followed there, and answered by the owning
 * agency on its sector service; the pages differ only in the words and the agency's choices, which
 * are here. The URL segment is the same on the console, the exchange and the sector services.
 */
export interface RequestKind {
  segment: 'disputes' | 'repairs';
  /** "dispute", "repair request": in sentences. */
  noun: string;
  /** Page and section titles. */
  title: string;
  plural: string;
  /** The subject desk's form on a record. */
  file: { summary: string; button: string; doing: string };
  /** The sector service's status of a request that waits for the agency. */
  waiting: 'open' | 'pending';
  /** The agency's answer: POST /v1/<segment>/{id}/<path> with what `body` builds from the form. */
  answer: {
    path: 'resolution' | 'decision';
    legend: string;
    choices: readonly { value: string; label: string }[];
    /** The choice checked when the form opens, if any. */
    preset?: string;
    body: (choice: string, note: string) => Record<string, unknown>;
  };
}

const withNote = (note: string) => (note ? { note } : {});

export const DISPUTES: RequestKind = {
  segment: 'disputes',
  noun: 'dispute',
  title: 'Dispute',
  plural: 'Disputes',
  file: {
    summary: 'File a dispute about this record',
    button: 'File the dispute',
    doing: 'filing the dispute',
  },
  waiting: 'open',
  answer: {
    path: 'resolution',
    legend: 'Outcome',
    choices: [
      { value: 'upheld', label: 'upheld' },
      { value: 'corrected', label: 'corrected' },
      { value: 'withdrawn', label: 'withdrawn' },
    ],
    preset: 'upheld',
    body: (choice, note) => ({ outcome: choice, ...withNote(note) }),
  },
};

export const REPAIRS: RequestKind = {
  segment: 'repairs',
  noun: 'repair request',
  title: 'Repair request',
  plural: 'Repair requests',
  file: {
    summary: 'Request credit repair (信用修复) for this record',
    button: 'Request the repair',
    doing: 'requesting the repair',
  },
  waiting: 'pending',
  answer: {
    path: 'decision',
    legend: 'Decision',
    choices: [
      { value: 'approved', label: 'approve' },
      { value: 'rejected', label: 'reject' },
    ],
    // Anything but the two choices goes to the API as it is, for the API to name the field.
    body: (choice, note) => ({
      approved: choice === 'approved' ? true : choice === 'rejected' ? false : choice,
      ...withNote(note),
    }),
  },
};

export const REQUEST_KINDS = [DISPUTES, REPAIRS] as const;

export function kindOf(segment: unknown): RequestKind | undefined {
  return REQUEST_KINDS.find((k) => k.segment === segment);
}

/** A dispute (GET /v1/disputes/{id}) or a repair request (GET /v1/repairs/{id}) as the exchange shows it. */
export interface ExchangeRequestView {
  disputeId?: string;
  requestId?: string;
  recordId: string;
  sector: string;
  agencyId?: string;
  version?: number;
  status: string;
  filedAt: string;
  dueBy?: string;
  overdue?: boolean;
  /** Disputes: upheld, corrected or withdrawn; a repair's outcome is its status once decided. */
  outcome?: string | null;
  note: string | null;
  resolvedAt?: string | null;
  decidedAt?: string | null;
}

/** What the subject desk follows: the request as the exchange has it, refreshed live. */
export function followedView(kind: RequestKind, r: ExchangeRequestView): Html {
  const answeredAt = r.resolvedAt ?? r.decidedAt ?? null;
  const outcome = r.outcome ?? (answeredAt ? r.status : null);
  return html`<dl class="card">
    <dt>${kind.title}</dt>
    <dd><code>${r.disputeId ?? r.requestId}</code></dd>
    <dt>Record</dt>
    <dd>
      <code>${r.recordId}</code>
      (${r.version === undefined ? '' : `version ${r.version}, `}${r.sector}${r.agencyId ? `, owned by ${r.agencyId}` : ''})
    </dd>
    <dt>Status</dt>
    <dd data-testid="request-status" class="${r.overdue ? 'bad' : ''}">
      ${r.status}${r.overdue ? ' (overdue)' : ''}
    </dd>
    <dt>Filed</dt>
    <dd>${when(r.filedAt)}</dd>
    ${
      r.dueBy
        ? html`<dt>Due by</dt>
            <dd>${r.dueBy}</dd>`
        : ''
    }
    <dt>Outcome</dt>
    <dd data-testid="request-outcome">${outcome ?? '—'}</dd>
    <dt>Agency's note</dt>
    <dd>${r.note || '—'}</dd>
    <dt>Answered</dt>
    <dd>${when(answeredAt)}</dd>
  </dl>`;
}

/** A dispute or repair request in an agency's inbox, as GET /v1/disputes and /v1/repairs list them. */
export interface InboxItem {
  id: string;
  recordId: string;
  sourceRecordId: string;
  recordType: string;
  version: number;
  grounds: string;
  filedBy: string;
  filedAt: string;
  dueBy?: string | null;
  overdue?: boolean;
  status: string;
  answer: string | null;
  note: string | null;
}

/** One request in the agency's inbox, with the answer form while it waits. */
export function inboxCard(kind: RequestKind, d: InboxItem, session: Session): Html {
  const { answer } = kind;
  return html`<section
    class="card request ${kind.segment === 'disputes' ? 'dispute' : 'repair'}"
    data-id="${d.id}"
    aria-label="${kind.title} ${d.id}"
  >
    <h3>${d.sourceRecordId} <span class="muted">(${d.recordType}, version ${d.version})</span></h3>
    <p class="${d.overdue ? 'bad' : ''}">
      Status <strong>${d.status}</strong>${d.answer ? html`: ${d.answer}` : ''} · filed ${when(d.filedAt)} by
      ${d.filedBy}${d.dueBy ? html` · due by ${d.dueBy}` : ''}${d.overdue ? ' (overdue)' : ''}
    </p>
    <blockquote lang="zh-CN">${d.grounds}</blockquote>
    ${d.note ? html`<p>Note: ${d.note}</p>` : ''}
    ${
      d.status === kind.waiting
        ? html`<form method="post" action="/inbox/${kind.segment}/${d.id}/answer" class="stack">
            ${csrfField(session)}
            <fieldset>
              <legend>${answer.legend}</legend>
              ${answer.choices.map(
                (c) =>
                  html`<label class="choice"
                    ><input
                      type="radio"
                      name="choice"
                      value="${c.value}"
                      required${c.value === answer.preset ? html` checked` : ''}
                    />
                    ${c.label}</label
                  >`,
              )}
            </fieldset>
            <label for="note-${d.id}">Note to the subject</label
            ><textarea id="note-${d.id}" name="note" rows="2" lang="zh-CN"></textarea>
            <button type="submit">Send the answer</button>
          </form>`
        : ''
    }
  </section>`;
}
