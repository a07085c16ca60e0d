import { ForbiddenError } from '../../errors.js'
import { defaultPurpose } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { personHeader } from '../people/person-view.service.js'
import { agenciesPlanningService } from '../plans/duplicates.service.js'
import {
  mayUpdate,
  nextStatuses,
  OPEN_REFERRAL_STATUSES,
  PATHWAY_NAMES,
  PATHWAYS,
  REFERRAL_STATUS_COLOURS,
  REFERRAL_STATUS_NAMES,
  SERVICE_TYPE_NAMES,
  SERVICE_TYPES,
  type Pathway,
  type ReferralStatus,
  type ServiceType,
} from './referrals.policy.js'
import * as repo from './referrals.repository.js'

/** The referral pages and API: what each shows is what the repository let through for this actor. */

type Person = NonNullable<Awaited<ReturnType<typeof repo.findReferralPerson>>>

/** The header for `_person.njk` and the referrals' view of the person, read together; null if not visible. */
async function load(tx: Tx, actor: Actor, crn: string, clock: Clock) {
  const header = await personHeader(tx, actor, crn, clock)
  if (!header) return null
  const person = await repo.findReferralPerson(tx, actor, crn)
  return person ? { header, person } : null
}

function audit(tx: Tx, actor: Actor, person: Person, categories: string[], origin: Origin, detail: object) {
  return recordAudit(tx, {
    actor,
    action: 'read',
    personIds: [person.id],
    categories: [...new Set(['identity', ...categories])],
    origin,
    purpose: defaultPurpose(person.relationship),
    relationship: person.relationship,
    detail: { ...detail },
  })
}

/** A referral in words for the pages and the API. */
export function describeReferral(r: repo.ReferralRow, actor: Actor) {
  const status = r.status as ReferralStatus
  return {
    ...r,
    statusName: REFERRAL_STATUS_NAMES[status] ?? r.status,
    statusColour: REFERRAL_STATUS_COLOURS[status] ?? 'grey',
    serviceLabel:
      (r.service_type && SERVICE_TYPE_NAMES[r.service_type as ServiceType]) ??
      r.service_name ??
      'Intervention',
    pathwayName: r.pathway ? PATHWAY_NAMES[r.pathway as Pathway] : null,
    open: OPEN_REFERRAL_STATUSES.includes(status),
    // A link only to a web address: the URL came from another system's event.
    sourceLink: r.source_url && /^https:\/\//.test(r.source_url) ? r.source_url : null,
    mayUpdate: mayUpdate(actor, r),
    next: nextStatuses(actor, { ...r, status }),
  }
}
export type Referral = ReturnType<typeof describeReferral>

/**
 * Other agencies arranging the same service for the person: another open referral to a
 * different provider, or another agency's plan action (from the plans module).
 */
async function overlapsOf(tx: Tx, person: Person, r: Referral, clock: Clock) {
  const personId = person.id
  if (!r.open || !r.service_type) return []
  const referrals = await repo.findOpenOfService(tx, {
    personId,
    referralId: r.id,
    serviceType: r.service_type,
    providerAgencyId: r.provider_agency_id,
  })
  const planned = await agenciesPlanningService(
    tx,
    { personId, serviceType: r.service_type, agencyId: r.provider_agency_id },
    clock,
  )
  const service = r.serviceLabel.toLowerCase()
  return [
    ...referrals.map((o) => ({
      text: `${o.provider ?? 'Another provider'} also has an open referral for ${service}`,
      // Only the lead agency sees every referral, so only it is offered the link.
      referralId: person.is_lead_agency ? o.id : null,
    })),
    ...planned.map((agency) => ({
      text: `${agency} also provides ${service} in the case plan`,
      referralId: null,
    })),
  ]
}

/**
 * The person's referrals as the actor may see them, each with any duplicate work and, when
 * asked (the API), its history; null if not visible.
 */
export async function viewReferrals(
  db: Db,
  actor: Actor,
  crn: string,
  origin: Origin,
  clock: Clock,
  options: { history?: boolean } = {},
) {
  return db.transaction().execute(async (tx) => {
    const loaded = await load(tx, actor, crn, clock)
    if (!loaded) return null
    const { header, person } = loaded
    const rows = (await repo.findReferrals(tx, actor, person.id)).map((r) => describeReferral(r, actor))
    const history = options.history
      ? await repo.findUpdates(
          tx,
          person.id,
          rows.map((r) => r.id),
        )
      : []
    const referrals = []
    for (const r of rows)
      referrals.push({
        ...r,
        overlaps: await overlapsOf(tx, person, r, clock),
        updates: history.filter((u) => u.referral_id === r.id),
      })
    await audit(
      tx,
      actor,
      person,
      rows.map((r) => r.category),
      origin,
      { referrals: rows.length },
    )
    return { ...header, referrals, mayRefer: !!person.is_lead_agency }
  })
}

/** One referral with its history and the update form's choices; null if not visible. */
export async function viewReferral(
  db: Db,
  actor: Actor,
  crn: string,
  referralId: string,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const loaded = await load(tx, actor, crn, clock)
    if (!loaded) return null
    const { header, person } = loaded
    const [row] = await repo.findReferrals(tx, actor, person.id, referralId)
    if (!row) return null
    const referral = describeReferral(row, actor)
    const updates = await repo.findUpdates(tx, person.id, [referralId])
    await audit(tx, actor, person, [row.category], origin, { referralId })
    return {
      ...header,
      referral,
      updates: updates.map((u) => ({
        ...u,
        statusName: u.status ? REFERRAL_STATUS_NAMES[u.status] : null,
      })),
      overlaps: await overlapsOf(tx, person, referral, clock),
      statusChoices: referral.next.map((value) => ({ value, text: REFERRAL_STATUS_NAMES[value] })),
    }
  })
}

/** What the new-referral form needs: the providers the person may be referred to. Lead agency only. */
export async function viewReferralForm(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const loaded = await load(tx, actor, crn, clock)
    if (!loaded) return null
    if (!loaded.person.is_lead_agency) throw new ForbiddenError()
    await audit(tx, actor, loaded.person, [], origin, { form: 'new referral' })
    return { ...loaded.header, choices: await referralChoices(tx, loaded.person) }
  })
}

/** The form's lists: service types, pathways and the providers in the person's region. */
export async function referralChoices(tx: Tx, person: { region_id: string | null }) {
  const providers = await repo.findProviders(tx, person.region_id)
  return {
    serviceTypes: SERVICE_TYPES.map((value) => ({ value, text: SERVICE_TYPE_NAMES[value] })),
    pathways: PATHWAYS.map((value) => ({ value, text: PATHWAY_NAMES[value] })),
    providers: providers.map((p) => ({ value: p.id, text: p.name })),
  }
}
