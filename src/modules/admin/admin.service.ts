import type { z } from 'zod'
import { NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type AuditAction, type Origin } from '../../platform/audit/audit.js'
import { endSessionsOf } from '../../platform/auth/auth.repository.js'
import { hashPassword } from '../../platform/auth/passwords.js'
import { newToken } from '../../platform/auth/tokens.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { uniqueViolation } from '../../platform/database/errors.js'
import type * as schema from './admin.schema.js'
import * as orgs from './organisations.repository.js'
import * as sharing from './sharing.repository.js'
import * as users from './users.repository.js'

/** Which field to blame when a unique constraint refuses a value. */
const DUPLICATES: Record<string, { field: string; message: string }> = {
  regions_code_key: { field: 'code', message: 'A region with this code already exists' },
  probation_delivery_units_code_key: {
    field: 'code',
    message: 'A delivery unit with this code already exists',
  },
  agencies_code_key: { field: 'code', message: 'An agency with this code already exists' },
  teams_code_key: { field: 'code', message: 'A team with this code already exists' },
  cohorts_code_key: { field: 'code', message: 'A cohort with this code already exists' },
  users_email: { field: 'email', message: 'Someone already uses this email address' },
  sharing_agreements_reference_key: {
    field: 'reference',
    message: 'An agreement with this reference already exists',
  },
}

/**
 * Runs an administrative change in one transaction with its audit record (and its domain
 * event, for changes other modules react to), turning a broken unique constraint into a
 * message on the field at fault.
 */
async function change<T>(
  db: Db,
  actor: Actor,
  origin: Origin,
  what: { action: AuditAction; entity: string; personIds?: string[]; event?: string },
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  try {
    return await db.transaction().execute(async (tx) => {
      const result = await work(tx)
      if (what.event) {
        await publish(tx, {
          type: what.event,
          personId: what.personIds?.[0] ?? null,
          payload: { id: result, by: actor.userId },
        })
      }
      await recordAudit(tx, {
        actor,
        action: what.action,
        personIds: what.personIds ?? [],
        categories: [],
        origin,
        purpose: `Administration: ${what.action} ${what.entity}`,
        detail: { entity: what.entity, id: typeof result === 'string' ? result : undefined },
      })
      return result
    })
  } catch (error) {
    const constraint = uniqueViolation(error)
    const duplicate = constraint ? DUPLICATES[constraint] : undefined
    if (duplicate) throw new ValidationError([duplicate])
    throw error
  }
}

type Form<S extends z.ZodType> = z.infer<S>

export const createRegion = (db: Db, actor: Actor, origin: Origin, v: Form<typeof schema.RegionForm>) =>
  change(
    db,
    actor,
    origin,
    { action: 'create', entity: 'region' },
    async (tx) => (await orgs.insertRegion(tx, v)).id,
  )

export const createPdu = (db: Db, actor: Actor, origin: Origin, v: Form<typeof schema.PduForm>) =>
  change(
    db,
    actor,
    origin,
    { action: 'create', entity: 'probation delivery unit' },
    async (tx) => (await orgs.insertPdu(tx, v)).id,
  )

export const createAgency = (db: Db, actor: Actor, origin: Origin, v: Form<typeof schema.AgencyForm>) =>
  change(
    db,
    actor,
    origin,
    { action: 'create', entity: 'agency' },
    async (tx) => (await orgs.insertAgency(tx, v)).id,
  )

export const updateAgency = (
  db: Db,
  actor: Actor,
  origin: Origin,
  id: string,
  version: number,
  v: Form<typeof schema.AgencyForm>,
) =>
  change(db, actor, origin, { action: 'update', entity: 'agency' }, async (tx) => {
    await orgs.updateVersioned(tx, 'agencies', id, version, {
      code: v.code,
      name: v.name,
      kind: v.kind,
      region_id: v.regionId,
    })
    return id
  })

export const createTeam = (db: Db, actor: Actor, origin: Origin, v: Form<typeof schema.TeamForm>) =>
  change(
    db,
    actor,
    origin,
    { action: 'create', entity: 'team' },
    async (tx) => (await orgs.insertTeam(tx, v)).id,
  )

export const updateTeam = (
  db: Db,
  actor: Actor,
  origin: Origin,
  id: string,
  version: number,
  v: Form<typeof schema.TeamForm>,
) =>
  change(db, actor, origin, { action: 'update', entity: 'team' }, async (tx) => {
    await orgs.updateVersioned(tx, 'teams', id, version, {
      code: v.code,
      name: v.name,
      agency_id: v.agencyId,
      region_id: v.regionId,
      pdu_id: v.pduId,
    })
    return id
  })

export const createCohort = (db: Db, actor: Actor, origin: Origin, v: Form<typeof schema.CohortForm>) =>
  change(
    db,
    actor,
    origin,
    { action: 'create', entity: 'cohort' },
    async (tx) => (await orgs.insertCohort(tx, v)).id,
  )

export const updateCohort = (
  db: Db,
  actor: Actor,
  origin: Origin,
  id: string,
  version: number,
  v: Form<typeof schema.CohortForm>,
) =>
  change(db, actor, origin, { action: 'update', entity: 'cohort' }, async (tx) => {
    await orgs.updateVersioned(tx, 'cohorts', id, version, {
      code: v.code,
      name: v.name,
      description: v.description,
      region_id: v.regionId,
    })
    return id
  })

export async function createUser(db: Db, actor: Actor, origin: Origin, v: Form<typeof schema.NewUserForm>) {
  const passwordHash = v.password ? await hashPassword(v.password) : null
  return change(db, actor, origin, { action: 'create', entity: 'user' }, (tx) =>
    users.insertUser(tx, { ...v, passwordHash }),
  )
}

/** Updates a user; deactivating them also ends their sessions at once. */
export const updateUser = (
  db: Db,
  actor: Actor,
  origin: Origin,
  id: string,
  v: Form<typeof schema.EditUserForm>,
) =>
  change(db, actor, origin, { action: 'update', entity: 'user', event: 'user.updated' }, async (tx) => {
    // Team membership grants access to the team's cases, so it never crosses agencies.
    const teams = await orgs.listTeamChoices(tx, v.agencyId)
    if (v.teamIds.some((teamId) => !teams.some((t) => t.value === teamId))) {
      throw new ValidationError([{ field: 'teamIds', message: 'Choose teams in the user’s own agency' }])
    }
    await orgs.updateVersioned(tx, 'users', id, v.version, {})
    await users.updateUserDetails(tx, id, { ...v, active: v.active === 'yes' })
    if (v.active === 'no') await endSessionsOf(tx, id, new Date(), 'account deactivated')
    return id
  })

export async function resetPassword(db: Db, actor: Actor, origin: Origin, id: string, password: string) {
  const hash = await hashPassword(password)
  return change(db, actor, origin, { action: 'update', entity: 'user password' }, async (tx) => {
    await users.setPassword(tx, id, hash)
    await endSessionsOf(tx, id, new Date(), 'password reset by administrator')
    return id
  })
}

export const unlockUser = (db: Db, actor: Actor, origin: Origin, id: string) =>
  change(db, actor, origin, { action: 'update', entity: 'user lockout' }, async (tx) => {
    await users.unlockUser(tx, id)
    return id
  })

export const createAgreement = (db: Db, actor: Actor, origin: Origin, v: Form<typeof schema.AgreementForm>) =>
  change(
    db,
    actor,
    origin,
    { action: 'create', entity: 'information sharing agreement', event: 'sharing-agreement.created' },
    (tx) => sharing.insertAgreement(tx, v, actor.userId),
  )

export const updateAgreement = (
  db: Db,
  actor: Actor,
  origin: Origin,
  id: string,
  version: number,
  v: Form<typeof schema.AgreementForm>,
) =>
  change(
    db,
    actor,
    origin,
    { action: 'update', entity: 'information sharing agreement', event: 'sharing-agreement.updated' },
    async (tx) => {
      await orgs.updateVersioned(tx, 'sharing_agreements', id, version, {})
      await sharing.updateAgreementDetails(tx, id, v)
      return id
    },
  )

/** Adds someone to a case's allow-list (restricting the case to named users) or its exclusions. */
export async function addRestriction(
  db: Db,
  actor: Actor,
  origin: Origin,
  crn: string,
  v: Form<typeof schema.RestrictionForm>,
) {
  const person = await sharing.findPersonByCrn(db, crn)
  if (!person) throw new NotFoundError()
  const user = await users.findUserIdByEmail(db, v.email)
  if (!user)
    throw new ValidationError([
      { field: 'email', message: 'There is no Tandem user with this email address' },
    ])
  return change(
    db,
    actor,
    origin,
    {
      action: 'create',
      entity: `case ${v.kind === 'allow' ? 'restriction' : 'exclusion'}`,
      personIds: [person.id],
      event: 'case.access.changed',
    },
    async (tx) => {
      await sharing.insertRestriction(tx, {
        personId: person.id,
        userId: user.id,
        kind: v.kind,
        reason: v.reason,
        createdBy: actor.userId,
      })
      return person.id
    },
  )
}

export async function removeRestriction(
  db: Db,
  actor: Actor,
  origin: Origin,
  crn: string,
  userId: string,
  kind: 'allow' | 'deny',
) {
  const person = await sharing.findPersonByCrn(db, crn)
  if (!person) throw new NotFoundError()
  return change(
    db,
    actor,
    origin,
    {
      action: 'delete',
      entity: `case ${kind === 'allow' ? 'restriction' : 'exclusion'}`,
      personIds: [person.id],
      event: 'case.access.changed',
    },
    async (tx) => {
      if (!(await sharing.deleteRestriction(tx, person.id, userId, kind))) throw new NotFoundError()
      return person.id
    },
  )
}

/** Restrictions on one case, read by an administrator: recorded as a read of identity. */
export async function viewRestrictions(db: Db, actor: Actor, origin: Origin, crn: string) {
  return db.transaction().execute(async (tx) => {
    const person = await sharing.findPersonByCrn(tx, crn)
    if (!person) return null
    const restrictions = await sharing.listRestrictions(tx, person.id)
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [person.id],
      categories: ['identity'],
      origin,
      purpose: 'Administration: managing case restrictions',
    })
    return { person, restrictions }
  })
}

/** Creates an API client and returns its token, which is shown once and never stored. */
export async function createApiClient(
  db: Db,
  actor: Actor,
  origin: Origin,
  v: Form<typeof schema.ApiClientForm>,
) {
  const { token, hash } = newToken('tdm_')
  await change(
    db,
    actor,
    origin,
    { action: 'create', entity: 'API client' },
    async (tx) => (await sharing.insertApiClient(tx, { ...v, tokenHash: hash, createdBy: actor.userId })).id,
  )
  return token
}

export const revokeApiClient = (db: Db, actor: Actor, origin: Origin, id: string) =>
  change(db, actor, origin, { action: 'update', entity: 'API client revocation' }, async (tx) => {
    if (!(await sharing.revokeApiClient(tx, id))) throw new NotFoundError()
    return id
  })

/**
 * Everything the admin forms offer in their lists, as { value, text } pairs. Teams are listed
 * for one agency only (there are over a thousand nationally), and only when asked for.
 */
export async function choices(db: Db, options: { teamsOfAgency?: string | null } = {}) {
  const [lists, categories, teams] = await Promise.all([
    orgs.listChoices(db),
    sharing.listDataCategories(db),
    options.teamsOfAgency ? orgs.listTeamChoices(db, options.teamsOfAgency) : [],
  ])
  return {
    ...lists,
    teams,
    categories: categories.map((c) => ({ value: c.code, text: c.name, hint: { text: c.description } })),
  }
}
