import { ForbiddenError, NotFoundError } from '../../errors.js'
import { hasRole, type Actor, type DataCategory } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { londonDate } from '../../platform/views/format.js'
import * as repo from './caseload.repository.js'
import type { CaseloadQueryValue } from './cases.schema.js'
import { findTeamWorkload } from './workload.repository.js'

/** The categories the caseload's columns come from: a column is withheld unless its category is shared. */
const COLUMN_CATEGORIES: DataCategory[] = ['identity', 'risk', 'sentence', 'supervision']

function toRepoQuery(query: CaseloadQueryValue) {
  return {
    filters: {
      risk: query.risk,
      tier: query.tier,
      stage: query.stage,
      flagged: query.flagged,
      overdue: query.overdue,
    },
    sort: query.sort,
    descending: query.order === 'descending',
  }
}

/** Reads a caseload and records the list read, in one transaction. */
async function readCaseload(
  db: Db,
  actor: Actor,
  ownerUserId: string,
  query: CaseloadQueryValue,
  origin: Origin,
  clock: Clock,
  purpose: string,
) {
  const now = clock.now()
  return db.transaction().execute(async (tx) => {
    const caseload = await repo.findCaseload(tx, actor, ownerUserId, toRepoQuery(query), now, londonDate(now))
    if (caseload.rows.length > 0) {
      const shown = new Set(caseload.rows.flatMap((r) => r.categories))
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds: caseload.rows.map((r) => r.id),
        categories: COLUMN_CATEGORIES.filter((c) => shown.has(c)),
        origin,
        purpose,
        detail: ownerUserId === actor.userId ? null : { caseloadOf: ownerUserId },
      })
    }
    return {
      ...caseload,
      rows: caseload.rows.map((r) => ({
        ...r,
        shows: {
          risk: r.categories.includes('risk'),
          sentence: r.categories.includes('sentence'),
          supervision: r.categories.includes('supervision'),
        },
      })),
    }
  })
}

export type Caseload = Awaited<ReturnType<typeof readCaseload>>

/** The people the actor is allocated to, lead or co-worker, filtered and sorted; audited as a list read. */
export function myCaseload(db: Db, actor: Actor, query: CaseloadQueryValue, origin: Origin, clock: Clock) {
  return readCaseload(db, actor, actor.userId, query, origin, clock, 'My caseload')
}

/**
 * A practitioner's caseload as their manager sees it: only a member of one of the manager's
 * teams, and only the people (and columns) the manager may see themselves.
 */
export async function practitionerCaseload(
  db: Db,
  actor: Actor,
  userId: string,
  query: CaseloadQueryValue,
  origin: Origin,
  clock: Clock,
) {
  if (!hasRole(actor, 'manager')) throw new ForbiddenError()
  const member = await repo.findTeamMember(db, actor.teamIds, userId)
  if (!member) throw new NotFoundError()
  const caseload = await readCaseload(
    db,
    actor,
    userId,
    query,
    origin,
    clock,
    `Team caseload oversight: ${member.display_name}`,
  )
  return { member, caseload }
}

/** Each practitioner of the manager's teams with cases, points, capacity and overdue work. */
export async function teamCaseloads(db: Db, actor: Actor, clock: Clock) {
  const [teams, workload] = await Promise.all([
    repo.findTeamNames(db, actor.teamIds),
    findTeamWorkload(db, actor.teamIds, { overdueBefore: londonDate(clock.now()) }),
  ])
  return teams.map((team) => ({ ...team, practitioners: workload.filter((w) => w.team_id === team.id) }))
}
