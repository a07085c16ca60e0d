import type { Actor } from '../access/actor.js'
import type { Queryable } from '../database/database.js'

/** Where a use of personal data came from: an HTTP route or a command. */
export interface Origin {
  /** 'GET /people/:crn', 'API GET /api/v1/people/:crn' or 'cli tandem seed'. */
  route: string
  requestId: string | null
}

export type AuditAction =
  | 'read'
  | 'search'
  | 'list'
  | 'create'
  | 'update'
  | 'delete'
  | 'export'
  | 'sign-in'
  | 'sign-out'
  | 'break-glass'
  | 'review'

export interface AuditEntry {
  actor: Actor | null
  /** Names a non-human actor (a command, the worker) when there is no user. */
  actorLabel?: string
  action: AuditAction
  personIds: string[]
  categories: string[]
  origin: Origin
  purpose: string
  relationship?: string | null
  detail?: Record<string, unknown> | null
}

/**
 * Appends one audit record. Call it inside the transaction that reads or changes the data:
 * if this insert fails the transaction rolls back and nothing is served or saved.
 */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: entry.actor?.userId ?? null,
      actor_label: entry.actor
        ? `${entry.actor.displayName} <${entry.actor.email}>`
        : (entry.actorLabel ?? 'system'),
      actor_agency_id: entry.actor?.agencyId ?? null,
      action: entry.action,
      person_ids: entry.personIds,
      categories: entry.categories,
      route: entry.origin.route,
      purpose: entry.purpose,
      relationship: entry.relationship ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      request_id: entry.origin.requestId,
    })
    .execute()
}
