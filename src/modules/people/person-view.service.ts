import { defaultPurpose, mayShow, type Access } from '../../platform/access/access.js'
import { hasRole, type Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Queryable, Tx } from '../../platform/database/database.js'
import { ageOn, londonDate } from '../../platform/views/format.js'
import { buildJourney, journeySvg } from './journey.js'
import * as repo from './person-view.repository.js'
import { describePerson } from './summary.js'

const LATEST_EVENTS = 10
export const TIMELINE_PAGE = 25

/** Records the view of one person's record, with what was shown and why. */
function recordView(tx: Tx, actor: Actor, person: { id: string; access: Access }, origin: Origin) {
  return recordAudit(tx, {
    actor,
    action: 'read',
    personIds: [person.id],
    categories: person.access.categories,
    origin,
    purpose: defaultPurpose(person.access.relationship),
    relationship: person.access.relationship,
  })
}

/**
 * Opens a person's record: everything the actor may see, read in one transaction with the
 * audit record of the view. Returns null when the person does not exist or may not be seen
 * (the two are indistinguishable to the caller by design).
 */
export async function viewPerson(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const view = await repo.findPersonView(tx, actor, crn, clock.now(), LATEST_EVENTS)
    if (!view) return null
    await recordView(tx, actor, view.person, origin)
    const today = londonDate(clock.now())
    const age = ageOn(view.person.dateOfBirth, today)
    const journey = buildJourney(view.sentences, view.custody, today)
    return {
      ...view,
      age,
      today,
      summary: describePerson({ ...view, age }, today),
      stage: journey.current,
      daysInStage: journey.daysInStage,
      shares: Object.fromEntries(view.person.access.categories.map((c) => [c, true])),
      // Only the lead practitioner is told how much is withheld from them.
      withheld: view.isLead ? view.withheld : null,
      mayViewAccessLog: view.isLead || hasRole(actor, 'data_protection_officer'),
    }
  })
}

/** Personal details and identity across systems. */
export async function viewDetails(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const details = await repo.findPersonDetails(tx, actor, crn)
    if (!details) return null
    await recordView(tx, actor, details.person, origin)
    return { ...details, age: ageOn(details.person.dateOfBirth, londonDate(clock.now())) }
  })
}

/** One page of the timeline, grouped by day (in London), with its filters. */
export async function viewTimeline(
  db: Db,
  actor: Actor,
  crn: string,
  filter: repo.TimelineFilter,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const page = await repo.findTimelinePage(tx, actor, crn, filter)
    if (!page) return null
    await recordView(tx, actor, page.person, origin)
    const days: { day: string; items: typeof page.items }[] = []
    for (const item of page.items) {
      const day = londonDate(new Date(item.occurred_at))
      const last = days.at(-1)
      if (last?.day === day) last.items.push(item)
      else days.push({ day, items: [item] })
    }
    const lastItem = page.items.at(-1)
    return {
      ...page,
      age: ageOn(page.person.dateOfBirth, londonDate(clock.now())),
      days,
      next: page.more && lastItem ? `${new Date(lastItem.occurred_at).toISOString()}|${lastItem.id}` : null,
    }
  })
}

/** The journey through the current sentence, as stages with durations and an SVG. */
export async function viewJourney(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const facts = await repo.findJourneyFacts(tx, actor, crn)
    if (!facts) return null
    await recordView(tx, actor, facts.person, origin)
    const today = londonDate(clock.now())
    const journey = buildJourney(facts.sentences, facts.custody, today)
    const milestones = facts.milestones.map((m) => ({
      occurred_at: new Date(m.occurred_at).toISOString(),
      title: m.title,
    }))
    return {
      person: facts.person,
      registrations: facts.registrations,
      age: ageOn(facts.person.dateOfBirth, today),
      sentenceShared: mayShow(facts.person.access, 'sentence'),
      ...journey,
      milestones,
      svg: journeySvg(journey.stages, milestones, today),
    }
  })
}

export const findMergedInto = repo.findMergedInto

/**
 * What another module's page about a person needs for the identity bar (`_person.njk`): the
 * person with the actor's access to them, active registrations and age; null when the actor
 * may not see them. Not audited here: the caller records the read with what its page shows,
 * in its own transaction.
 */
export async function personHeader(db: Queryable, actor: Actor, crn: string, clock: Clock) {
  const header = await repo.findPersonHeader(db, actor, crn)
  if (!header) return null
  return { ...header, age: ageOn(header.person.dateOfBirth, londonDate(clock.now())) }
}

export type PersonHeader = NonNullable<Awaited<ReturnType<typeof personHeader>>>
