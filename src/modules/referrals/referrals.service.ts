import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import { describeReferral, referralChoices } from './referral-view.service.js'
import {
  newReference,
  REFERRAL_STATUS_NAMES,
  referralCategory,
  SERVICE_TYPE_NAMES,
  type ServiceType,
} from './referrals.policy.js'
import * as repo from './referrals.repository.js'
import type { ReferralInput, UpdateInput } from './referrals.schema.js'

export { applyReferralEvents, type ReferralEventFacts } from './referral-events.service.js'
export { viewReferral, viewReferralForm, viewReferrals } from './referral-view.service.js'

/** The person for a change, or NotFoundError (also when they may not be seen). */
async function referralPerson(tx: Tx, actor: Actor, crn: string) {
  const person = await repo.findReferralPerson(tx, actor, crn)
  if (!person) throw new NotFoundError()
  return person
}

type Person = Awaited<ReturnType<typeof referralPerson>>

/** Audit, outbox event and timeline row for one change to a referral, in the caller's transaction. */
async function recordChange(
  tx: Tx,
  actor: Actor,
  person: Person,
  change: {
    type: 'referral.created' | 'referral.status-changed' | 'referral.updated'
    pathway: string | null
    title: string
    summary: string | null
    payload: Record<string, unknown>
  },
  origin: Origin,
  clock: Clock,
) {
  const category = referralCategory(change.pathway)
  await recordAudit(tx, {
    actor,
    action: change.type === 'referral.created' ? 'create' : 'update',
    personIds: [person.id],
    categories: [category],
    origin,
    purpose: 'Referral to a service',
    relationship: person.relationship,
    detail: { event: change.type, ...change.payload },
  })
  await publish(tx, { type: change.type, personId: person.id, payload: change.payload })
  await addTimelineEntry(tx, {
    personId: person.id,
    kind: change.type,
    category,
    agencyId: actor.agencyId,
    title: change.title,
    summary: change.summary,
    pathway: change.pathway,
    at: clock.now(),
  })
}

/**
 * Refers the person to a provider agency, sent at once or kept as a draft. Only the lead agency
 * refers; the provider must be one the form offered (a service provider in the person's region).
 */
export async function createReferral(
  db: Db,
  actor: Actor,
  crn: string,
  input: ReferralInput,
  origin: Origin,
  clock: Clock,
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const person = await referralPerson(tx, actor, crn)
    if (!person.is_lead_agency) throw new ForbiddenError()
    const { providers } = await referralChoices(tx, person)
    const provider = providers.find((p) => p.value === input.providerAgencyId)
    if (!provider)
      throw new ValidationError([{ field: 'providerAgencyId', message: 'Choose a provider from the list' }])
    const status = input.send ? 'sent' : 'draft'
    const reference = newReference(input.serviceType)
    const at = clock.now()
    const id = await repo.insertReferral(tx, {
      ...input,
      personId: person.id,
      reference,
      status,
      userId: actor.userId,
      at,
    })
    await repo.insertUpdate(tx, {
      personId: person.id,
      referralId: id,
      kind: 'status',
      status,
      note: input.send ? `Referral sent to ${provider.text}` : 'Referral saved as a draft',
      userId: actor.userId,
      agencyId: actor.agencyId,
      at,
    })
    const service = SERVICE_TYPE_NAMES[input.serviceType as ServiceType]
    await recordChange(
      tx,
      actor,
      person,
      {
        type: 'referral.created',
        pathway: input.pathway,
        title: `${input.send ? 'Referral sent' : 'Draft referral'}: ${service} (${provider.text})`,
        summary: input.reason,
        payload: {
          referralId: id,
          reference,
          status,
          serviceType: input.serviceType,
          pathway: input.pathway,
          providerAgencyId: input.providerAgencyId,
        },
      },
      origin,
      clock,
    )
    return id
  })
}

/**
 * Records an update from the referrer or the provider: a note, and a move to a new status if
 * one is chosen. A status change made from a stale `version` is a ConflictError: nothing is
 * saved, and the caller shows the current referral with the user's update ready to apply.
 */
export async function recordUpdate(
  db: Db,
  actor: Actor,
  crn: string,
  referralId: string,
  input: UpdateInput,
  origin: Origin,
  clock: Clock,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const person = await referralPerson(tx, actor, crn)
    const [row] = await repo.findReferrals(tx, actor, person.id, referralId)
    if (!row) throw new NotFoundError()
    const referral = describeReferral(row, actor)
    if (!referral.mayUpdate) throw new ForbiddenError()
    const at = clock.now()
    const status = input.status !== referral.status ? input.status : null
    if (status) {
      if (input.version !== referral.version) throw new ConflictError()
      if (!referral.next.includes(status))
        throw new ValidationError([
          {
            field: 'status',
            message: `A referral that is ${referral.statusName.toLowerCase()} cannot be moved to ${REFERRAL_STATUS_NAMES[status].toLowerCase()} by your agency`,
          },
        ])
      const saved = await repo.updateStatus(tx, actor, {
        personId: person.id,
        referralId,
        version: input.version,
        status,
        endReason: input.endReason,
        assignedTo: input.assignedTo,
        at,
      })
      if (!saved) throw new ConflictError()
    }
    const note = [
      input.note,
      status === 'assigned' && input.assignedTo ? `Assigned to ${input.assignedTo}.` : null,
      input.endReason && status ? `Reason: ${input.endReason}` : null,
    ]
    await repo.insertUpdate(tx, {
      personId: person.id,
      referralId,
      kind: status ? 'status' : 'progress',
      status,
      note: note.filter(Boolean).join(' '),
      userId: actor.userId,
      agencyId: actor.agencyId,
      at,
    })
    await recordChange(
      tx,
      actor,
      person,
      {
        type: status ? 'referral.status-changed' : 'referral.updated',
        pathway: referral.pathway,
        title: status
          ? `Referral ${REFERRAL_STATUS_NAMES[status].toLowerCase()}: ${referral.serviceLabel} (${referral.reference})`
          : `Referral update: ${referral.serviceLabel} (${referral.reference})`,
        summary: input.note,
        payload: {
          referralId,
          reference: referral.reference,
          ...(status ? { status, previousStatus: referral.status, version: input.version + 1 } : {}),
        },
      },
      origin,
      clock,
    )
  })
}
