import { isLeadPractitioner } from '../access/access.js'
import { hasRole, type Actor } from '../access/actor.js'
import type { Clock } from '../clock.js'
import type { Db } from '../database/database.js'
import { recordAudit, type Origin } from './audit.js'
import * as repo from './audit.repository.js'

const OVERSIGHT = 'Data protection oversight'

/**
 * "Who has viewed this record": for the person's lead practitioner and the data protection
 * officer. Looking at the list is itself recorded. Returns null for anyone else, or when
 * there is no such person.
 */
export async function whoViewed(db: Db, actor: Actor, crn: string, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const person = await repo.findPersonIdentity(tx, crn)
    if (!person) return null
    const isDpo = hasRole(actor, 'data_protection_officer')
    const isLead = !isDpo && (await isLeadPractitioner(tx, person.id, actor.userId))
    if (!isDpo && !isLead) return null
    const records = await repo.findAuditRecords(tx, { personId: person.id, limit: 500 })
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [person.id],
      categories: ['identity'],
      origin,
      purpose: isDpo ? OVERSIGHT : 'Lead practitioner checking who has viewed the record',
    })
    return { person, records }
  })
}

/** The access log for the data protection officer, filtered and paged; the search is recorded. */
export async function searchAccessLog(
  db: Db,
  actor: Actor,
  filter: { crn?: string | undefined } & Omit<repo.AuditFilter, 'personId'>,
  origin: Origin,
) {
  return db.transaction().execute(async (tx) => {
    const person = filter.crn ? await repo.findPersonIdentity(tx, filter.crn) : undefined
    if (filter.crn && !person)
      return { records: [], people: new Map<string, { crn: string; name: string }>(), personMissing: true }
    const records = await repo.findAuditRecords(tx, { ...filter, personId: person?.id })
    const personIds = [...new Set(records.flatMap((r) => r.person_ids))]
    const identities = await repo.findPeopleIdentities(tx, personIds)
    await recordAudit(tx, {
      actor,
      action: 'search',
      personIds,
      categories: ['identity'],
      origin,
      purpose: OVERSIGHT,
      detail: { filter: { ...filter, from: filter.from?.toISOString(), to: filter.to?.toISOString() } },
    })
    const people = new Map(
      identities.map((p) => [p.id, { crn: p.crn, name: `${p.first_name} ${p.last_name}` }]),
    )
    return { records, people, personMissing: false }
  })
}

/** Emergency access waiting for review, and reviewed; showing it names people, so it is recorded. */
export async function breakGlassQueue(db: Db, actor: Actor, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const [pending, reviewed] = await Promise.all([
      repo.findBreakGlassGrants(tx, false),
      repo.findBreakGlassGrants(tx, true),
    ])
    const personIds = [...new Set([...pending, ...reviewed].map((g) => g.person_id))]
    if (personIds.length > 0) {
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds,
        categories: ['identity'],
        origin,
        purpose: OVERSIGHT,
      })
    }
    return { pending, reviewed }
  })
}

/** Records the data protection officer's judgement of one use of emergency access. */
export async function reviewBreakGlass(
  db: Db,
  actor: Actor,
  review: { id: string; outcome: 'justified' | 'not_justified'; note: string },
  origin: Origin,
  clock: Clock,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const updated = await repo.reviewBreakGlassGrant(tx, {
      ...review,
      reviewerId: actor.userId,
      at: clock.now(),
    })
    if (!updated) return false
    await recordAudit(tx, {
      actor,
      action: 'review',
      personIds: [updated.person_id],
      categories: [],
      origin,
      purpose: OVERSIGHT,
      detail: { grant: review.id, outcome: review.outcome, note: review.note },
    })
    return true
  })
}
