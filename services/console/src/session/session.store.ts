import { randomBytes } from 'node:crypto';
import type { Sector } from '../console.config.js';

export type Role = 'operator' | 'subject-desk' | 'agency';

/** A signed-in user. The key stays here, on the server; the browser holds only the session id. */
export interface Session {
  id: string;
  key: string;
  role: Role;
  /** What the page header shows: "operator", "subject desk", "agency (courts)". */
  label: string;
  sector?: Sector;
  /** Sent back with every form: a page of another site cannot post with this session. */
  csrf: string;
  lastSeen: number;
}

const token = () => randomBytes(32).toString('base64url');

/** Sessions in memory: a restart signs everyone out, and no key is ever written to disk. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(fields: Pick<Session, 'key' | 'role' | 'label' | 'sector'>): Session {
    this.sweep();
    const session: Session = { ...fields, id: token(), csrf: token(), lastSeen: this.now() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, its idle clock restarted; undefined once it has expired. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.now() - session.lastSeen > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (now - s.lastSeen > this.idleMs) this.sessions.delete(id);
  }
}
