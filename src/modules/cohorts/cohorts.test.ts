import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import * as c from '../../../test/support/cohorts-factories.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import type { Actor } from '../../platform/access/actor.js'
import { findActor } from '../../platform/auth/auth.repository.js'
import { fixedClock } from '../../platform/clock.js'
import { listCohorts } from './cohorts.service.js'
import { startMembership } from './membership.repository.js'
import { leadForPathway, leadForTaskType } from './responsibilities.service.js'

let database: TestDatabase
let app: FastifyInstance
let coordinator: Client
let coordinatorActor: Actor
let policeCoordinator: Client
let manager: Client
let probation: string
let team: string
let region: string
let otherRegion: string
const clock = fixedClock('2026-11-23T10:00:00Z')
const people: Record<string, { id: string; crn: string }> = {}
let short: { id: string; code: string }
let young: { id: string; code: string }

/** A person held by the coordinator's team, in `region`, with a current sentence. */
async function person(key: string, props: { dob?: string; teamId?: string; region?: string } = {}) {
  const p = await f.makePerson(database.db, {
    leadAgencyId: probation,
    leadTeamId: props.teamId ?? team,
    firstName: key,
    lastName: 'Tester',
    dateOfBirth: props.dob ?? '1990-01-01',
  })
  await c.describePerson(database.db, p.id, { regionId: props.region ?? region, custodyStatus: 'in_custody' })
  people[key] = p
  return p
}

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  region = await c.makeRegion(db, 'North East')
  otherRegion = await c.makeRegion(db, 'South West')
  probation = await f.makeAgency(db, { name: 'Probation North East' })
  const police = await f.makeAgency(db, { kind: 'police', name: 'Northumbria Police' })
  team = await f.makeTeam(db, probation, 'Newcastle A')
  const otherTeam = await f.makeTeam(db, probation, 'Sunderland B')
  const coordinatorId = await f.makeUser(db, { agencyId: probation, roles: ['coordinator'], teamIds: [team] })
  const policeId = await f.makeUser(db, { agencyId: police, roles: ['coordinator'] })
  const managerId = await f.makeUser(db, { agencyId: probation, roles: ['manager'], teamIds: [team] })
  coordinatorActor = (await findActor(db, coordinatorId))!

  short = await c.makeCohortWith(db, {
    code: 'SHORT',
    name: 'Short sentences',
    regionId: region,
    criteria: {
      offenceCategories: ['burglary_domestic'],
      sentenceTypes: ['short_custody'],
      maxSentenceDays: 364,
    },
  })
  young = await c.makeCohortWith(db, {
    code: 'YOUNG',
    name: 'Young adults',
    criteria: { minAge: 18, maxAge: 25 },
  })
  const shared = await c.makeCohortWith(db, { code: 'SHARED', name: 'Shared with police' })
  await f.makeAgreement(db, {
    agencyIds: [probation, police],
    cohortIds: [shared.id],
    categories: ['identity'],
  })

  const burglary = {
    type: 'short_custody',
    offenceCategory: 'burglary_domestic',
    offence: 'Burglary in a dwelling',
  }
  await c.addSentence(db, (await person('Ten', { dob: '2002-05-01' })).id, { ...burglary, lengthDays: 304 })
  await c.addSentence(db, (await person('Edge')).id, { ...burglary, lengthDays: 364 })
  await c.addSentence(db, (await person('Year')).id, { ...burglary, lengthDays: 365 })
  await c.addSentence(db, (await person('Theft')).id, {
    ...burglary,
    offenceCategory: 'theft_non_motor',
    lengthDays: 100,
  })
  await c.addSentence(db, (await person('Elsewhere', { region: otherRegion })).id, {
    ...burglary,
    lengthDays: 100,
  })
  // An ended short sentence does not count when the current one is long.
  const ended = await person('Ended')
  await c.addSentence(db, ended.id, {
    ...burglary,
    lengthDays: 100,
    sentencedOn: '2024-01-01',
    endedOn: '2024-06-01',
  })
  await c.addSentence(db, ended.id, { ...burglary, type: 'long_custody', lengthDays: 1200 })
  const hidden = await person('Hidden', { teamId: otherTeam, dob: '2004-01-01' })
  await c.addSentence(db, hidden.id, { ...burglary, lengthDays: 100 })
  await f.joinCohort(db, hidden.id, short.id)
  const member = await person('Member')
  await c.addSentence(db, member.id, { ...burglary, lengthDays: 100 })
  await f.joinCohort(db, member.id, short.id)
  // Ages on 23 November 2026.
  await person('TwentySix', { dob: '2000-11-23' })
  await person('TwentyFive', { dob: '2000-11-24' })
  await person('Eighteen', { dob: '2008-11-23' })
  await person('Seventeen', { dob: '2008-11-24' })
  // Seen by the police coordinator through an agreement that shares identity only.
  const sharedPerson = await person('Shared', { dob: '2003-03-03' })
  await c.addSentence(db, sharedPerson.id, { ...burglary, lengthDays: 100 })
  await f.joinCohort(db, sharedPerson.id, shared.id)

  app = await testApp(db, { clock })
  coordinator = new Client(app, await f.sessionCookie(db, coordinatorId))
  policeCoordinator = new Client(app, await f.sessionCookie(db, policeId))
  manager = new Client(app, await f.sessionCookie(db, managerId))
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

const suggested = async (client: Client, code: string) => {
  const response = await client.get(`/cohorts/${code}/suggestions`)
  expect(response.statusCode).toBe(200)
  // Only the suggestions table: recent decisions below it name people too.
  const table = response.body.split('Recent decisions')[0]!
  return Object.keys(people).filter((key) => table.includes(people[key]!.crn))
}

const reviewDate = (iso: string) => {
  const [year, month, day] = iso.split('-') as [string, string, string]
  return { 'reviewOn-day': day, 'reviewOn-month': month, 'reviewOn-year': year }
}

describe(`cohorts on ${engine}`, () => {
  it('suggests people who meet the criteria, at the edges of sentence length, and says why', async () => {
    expect((await suggested(coordinator, 'SHORT')).sort()).toEqual(['Edge', 'Shared', 'Ten'])
    const page = (await coordinator.get('/cohorts/SHORT/suggestions')).body
    expect(page).toContain('Burglary in a dwelling; custodial sentence of 10 months')
  })

  it('judges age on the day, counting a birthday today', async () => {
    expect((await suggested(coordinator, 'YOUNG')).sort()).toEqual([
      'Eighteen',
      'Shared',
      'Ten',
      'TwentyFive',
    ])
    expect((await coordinator.get('/cohorts/YOUNG/suggestions')).body).toContain('Aged 25')
  })

  it('never suggests what a viewer may not see the data to judge', async () => {
    // Identity is shared, so age can be judged; the sentence is not, so offence criteria cannot.
    expect(await suggested(policeCoordinator, 'YOUNG')).toEqual(['Shared'])
    expect(await suggested(policeCoordinator, 'SHORT')).toEqual([])
  })

  it('counts only the people the viewer may see', async () => {
    const list = await listCohorts(database.db, coordinatorActor, clock)
    const shortCounts = list.find((x) => x.code === 'SHORT')!
    expect(shortCounts).toMatchObject({ members: 1, suggested: 3, reviewsDue: 0 })
    const page = (await coordinator.get('/cohorts')).body
    expect(page).toContain('Short sentences')
    const members = (await coordinator.get('/cohorts/SHORT')).body
    expect(members).toContain(people.Member!.crn)
    expect(members).not.toContain(people.Hidden!.crn)
    expect((await coordinator.get(`/cohorts/SHORT/suggestions/${people.Hidden!.crn}`)).statusCode).toBe(404)
    const post = await coordinator.post(`/cohorts/SHORT/suggestions/${people.Hidden!.crn}`, {
      decision: 'select',
      reason: 'Prolific',
      ...reviewDate('2027-01-01'),
    })
    expect(post.statusCode).toBe(404)
  })

  it('selects with a reason and a future review date, writing the decision, timeline, event and audit', async () => {
    const ten = people.Ten!
    const url = `/cohorts/SHORT/suggestions/${ten.crn}`
    expect((await coordinator.get(url)).body).toContain('Burglary in a dwelling')
    const missing = await coordinator.post(url, { decision: 'select', reason: '' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Enter the reason for your decision')
    expect(missing.body).toContain('Enter the review date')
    const past = await coordinator.post(url, {
      decision: 'select',
      reason: 'Panel',
      ...reviewDate('2026-11-23'),
    })
    expect(past.body).toContain('Review date must be in the future')
    const impossible = await coordinator.post(url, {
      decision: 'select',
      reason: 'x',
      ...reviewDate('2027-02-30'),
    })
    expect(impossible.body).toContain('Review date must be a real date')
    expect((await coordinator.post(url, { reason: 'x' })).body).toContain(
      'Choose whether to select this person',
    )

    const ok = await coordinator.post(url, {
      decision: 'select',
      reason: 'Agreed at panel',
      ...reviewDate('2027-02-01'),
    })
    expect(ok.statusCode).toBe(303)
    const db = database.db
    const membership = await db
      .selectFrom('cohort_memberships')
      .selectAll()
      .where('person_id', '=', ten.id)
      .where('cohort_id', '=', short.id)
      .executeTakeFirstOrThrow()
    expect(membership).toMatchObject({
      started_on: '2026-11-23',
      ended_on: null,
      reason: 'Agreed at panel',
      review_on: '2027-02-01',
      selected_by: coordinatorActor.userId,
    })
    const decision = await db
      .selectFrom('cohort_decisions')
      .selectAll()
      .where('person_id', '=', ten.id)
      .executeTakeFirstOrThrow()
    expect(decision).toMatchObject({
      decision: 'selected',
      reason: 'Agreed at panel',
      review_on: '2027-02-01',
    })
    const event = await db
      .selectFrom('timeline_events')
      .selectAll()
      .where('person_id', '=', ten.id)
      .executeTakeFirstOrThrow()
    expect(event).toMatchObject({
      kind: 'cohort.joined',
      category: 'supervision',
      agency_id: probation,
      source_system: 'Tandem',
    })
    const outbox = await db
      .selectFrom('outbox')
      .select(['event_type', 'payload'])
      .where('person_id', '=', ten.id)
      .execute()
    expect(outbox).toEqual([
      {
        event_type: 'person.cohort.joined',
        payload: { cohortId: short.id, cohortCode: 'SHORT', reason: 'Agreed at panel' },
      },
    ])
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'purpose'])
      .where(({ eb, val }) => eb(val(ten.id), '=', eb.fn.any('person_ids')))
      .where('action', '=', 'create')
      .execute()
    expect(audit).toHaveLength(1)
    expect(await suggested(coordinator, 'SHORT')).not.toContain('Ten')
    expect((await coordinator.get('/cohorts/SHORT')).body).toContain(ten.crn)
  })

  it('refuses to select someone twice, even when two selections race', async () => {
    const ten = people.Ten!
    const again = await coordinator.post(`/cohorts/SHORT/suggestions/${ten.crn}`, {
      decision: 'select',
      reason: 'Again',
      ...reviewDate('2027-02-01'),
    })
    expect(again.statusCode).toBe(400)
    expect(again.body).toContain('is already in Short sentences')
    const race = {
      personId: ten.id,
      cohortId: short.id,
      today: '2026-11-23',
      reason: 'Race',
      reviewOn: '2027-01-01',
      by: coordinatorActor.userId,
    }
    expect(await startMembership(database.db, race)).toBe(false)
    const rows = await database.db
      .selectFrom('cohort_memberships')
      .select('reason')
      .where('person_id', '=', ten.id)
      .execute()
    expect(rows).toEqual([{ reason: 'Agreed at panel' }])
  })

  it('removes a member with a reason, keeping every decision', async () => {
    const ten = people.Ten!
    const url = `/cohorts/SHORT/members/${ten.crn}/deselect`
    expect((await coordinator.get(url)).statusCode).toBe(200)
    const blank = await coordinator.post(url, { reason: '  ' })
    expect(blank.statusCode).toBe(400)
    expect(blank.body).toContain('Enter the reason for removing this person')
    expect((await coordinator.post(url, { reason: 'Moved out of the area' })).statusCode).toBe(303)
    const db = database.db
    const membership = await db
      .selectFrom('cohort_memberships')
      .selectAll()
      .where('person_id', '=', ten.id)
      .executeTakeFirstOrThrow()
    expect(membership).toMatchObject({
      ended_on: '2026-11-23',
      ended_reason: 'Moved out of the area',
      ended_by: coordinatorActor.userId,
    })
    const decisions = await db
      .selectFrom('cohort_decisions')
      .select('decision')
      .where('person_id', '=', ten.id)
      .orderBy('decided_at')
      .execute()
    expect(decisions.map((d) => d.decision).sort()).toEqual(['deselected', 'selected'])
    const left = await db
      .selectFrom('outbox')
      .select('payload')
      .where('person_id', '=', ten.id)
      .where('event_type', '=', 'person.cohort.left')
      .executeTakeFirstOrThrow()
    expect(left.payload).toEqual({ cohortId: short.id, cohortCode: 'SHORT', reason: 'Moved out of the area' })
    const kinds = await db
      .selectFrom('timeline_events')
      .select('kind')
      .where('person_id', '=', ten.id)
      .execute()
    expect(kinds.map((k) => k.kind).sort()).toEqual(['cohort.joined', 'cohort.left'])
    // Removed recently, so not suggested again; removing twice is refused clearly.
    expect(await suggested(coordinator, 'SHORT')).not.toContain('Ten')
    expect((await coordinator.post(url, { reason: 'Again' })).statusCode).toBe(404)
    // The panel may change its mind the same day.
    const back = await coordinator.post(`/cohorts/SHORT/suggestions/${ten.crn}`, {
      decision: 'select',
      reason: 'Returned',
      ...reviewDate('2027-03-01'),
    })
    expect(back.statusCode).toBe(303)
  })

  it('changes a member’s review date with a reason, kept in the decision history, audited and on the timeline', async () => {
    const ten = people.Ten!
    const page = `/cohorts/SHORT/members/${ten.crn}`
    const post = (form: Record<string, string>) => coordinator.post(`${page}/review`, form)
    const members = (await coordinator.get('/cohorts/SHORT')).body
    expect(members).toContain(`href="${page}#review"`)
    const shown = await coordinator.get(page)
    expect(shown.statusCode).toBe(200)
    expect(shown.body).toContain('1 March 2027')
    expect(shown.body).toContain('Returned')
    expect(shown.body).toContain('Moved out of the area')
    expect(shown.body).toContain('name="seenReviewOn" value="2027-03-01"')
    const reads = await database.db
      .selectFrom('audit_log')
      .select(['action', 'person_ids'])
      .where('route', '=', 'GET /cohorts/:code/members/:crn')
      .execute()
    expect(reads).toEqual([{ action: 'read', person_ids: [ten.id] }])

    const seen = { seenReviewOn: '2027-03-01' }
    const blank = await post({ ...seen, reason: ' ' })
    expect(blank.statusCode).toBe(400)
    expect(blank.body).toContain('Enter the new review date')
    expect(blank.body).toContain('Enter the reason for changing the review date')
    expect(blank.body).toContain('href="#reviewOn-day"')
    const past = await post({ ...seen, reason: 'Panel moved', ...reviewDate('2026-11-22') })
    expect(past.statusCode).toBe(400)
    expect(past.body).toContain('Review date must be today or in the future')
    const impossible = await post({ ...seen, reason: 'Panel moved', ...reviewDate('2027-02-29') })
    expect(impossible.body).toContain('Review date must be a real date')
    const words = await post({
      ...seen,
      reason: 'Panel moved',
      'reviewOn-day': 'first',
      'reviewOn-month': 'March',
      'reviewOn-year': '27',
    })
    expect(words.statusCode).toBe(400)
    expect(words.body).toContain('Review date must be a real date')
    expect(words.body).toContain('value="first"')
    const same = await post({ ...seen, reason: 'No change', ...reviewDate('2027-03-01') })
    expect(same.statusCode).toBe(400)
    expect(same.body).toContain('The review date is already 1 March 2027')
    expect(
      (await post({ seenReviewOn: 'yesterday', reason: 'x', ...reviewDate('2027-04-01') })).statusCode,
    ).toBe(400)

    // Today is allowed: the panel may want to review them at today's meeting.
    const ok = await post({
      ...seen,
      reason: 'Reviewing early after a new arrest',
      ...reviewDate('2026-11-23'),
    })
    expect(ok.statusCode).toBe(303)
    expect(ok.headers.location).toBe(`${page}?changed=1`)
    expect((await coordinator.get(ok.headers.location as string)).body).toContain(
      'The review date has been changed to 23 November 2026',
    )
    const db = database.db
    const membership = await db
      .selectFrom('cohort_memberships')
      .select(['review_on', 'reason'])
      .where('person_id', '=', ten.id)
      .where('ended_on', 'is', null)
      .executeTakeFirstOrThrow()
    expect(membership).toEqual({ review_on: '2026-11-23', reason: 'Returned' })
    const latest = await db
      .selectFrom('cohort_decisions')
      .select(['decision', 'reason', 'review_on', 'decided_by'])
      .where('person_id', '=', ten.id)
      .where('decision', '=', 'review_changed' as never)
      .execute()
    expect(latest).toEqual([
      {
        decision: 'review_changed',
        reason: 'Reviewing early after a new arrest',
        review_on: '2026-11-23',
        decided_by: coordinatorActor.userId,
      },
    ])
    const item = await db
      .selectFrom('timeline_events')
      .select(['title', 'summary', 'category'])
      .where('person_id', '=', ten.id)
      .where('kind', '=', 'cohort.review-changed')
      .executeTakeFirstOrThrow()
    expect(item).toEqual({
      title: 'Review date for Short sentences changed to 23 November 2026',
      summary: 'Reviewing early after a new arrest (was 1 March 2027)',
      category: 'supervision',
    })
    const event = await db
      .selectFrom('outbox')
      .select('payload')
      .where('person_id', '=', ten.id)
      .where('event_type', '=', 'person.cohort.review-changed')
      .executeTakeFirstOrThrow()
    expect(event.payload).toEqual({
      cohortId: short.id,
      cohortCode: 'SHORT',
      reviewOn: '2026-11-23',
      previousReviewOn: '2027-03-01',
      reason: 'Reviewing early after a new arrest',
    })
    const changes = await db
      .selectFrom('audit_log')
      .select(['action', 'purpose'])
      .where('route', '=', 'POST /cohorts/:code/members/:crn/review')
      .where('action', '=', 'update')
      .execute()
    expect(changes).toEqual([
      { action: 'update', purpose: 'Cohort management: review date changed for Short sentences' },
    ])
    // Now due, it shows as due; and the history names the change.
    expect((await coordinator.get('/cohorts/SHORT?review=due')).body).toContain(ten.crn)
    expect((await coordinator.get(page)).body).toContain('Review date changed')
    const settled = await post({
      seenReviewOn: '2026-11-23',
      reason: 'Arrest was a mistake',
      ...reviewDate('2027-01-10'),
    })
    expect(settled.statusCode).toBe(303)

    // A second coordinator working from the page as it was is told, and nothing is overwritten.
    const stale = await post({ ...seen, reason: 'Later instead', ...reviewDate('2027-06-01') })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('Later instead')
    expect(
      (
        await db
          .selectFrom('cohort_memberships')
          .select('review_on')
          .where('person_id', '=', ten.id)
          .where('ended_on', 'is', null)
          .executeTakeFirstOrThrow()
      ).review_on,
    ).toBe('2027-01-10')
  })

  it('lets managers read a membership but not change it, and shows no one else’s', async () => {
    const member = people.Member!
    const page = await manager.get(`/cohorts/SHORT/members/${member.crn}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('None set')
    expect(page.body).toContain('No decisions are recorded')
    expect(page.body).not.toContain('Change review date')
    const form = { seenReviewOn: '', reason: 'First review', ...reviewDate('2027-01-15') }
    expect((await manager.post(`/cohorts/SHORT/members/${member.crn}/review`, form)).statusCode).toBe(403)
    // Not visible, not a member, not a CRN: the same 404.
    expect((await coordinator.get(`/cohorts/SHORT/members/${people.Hidden!.crn}`)).statusCode).toBe(404)
    expect(
      (await coordinator.post(`/cohorts/SHORT/members/${people.Hidden!.crn}/review`, form)).statusCode,
    ).toBe(404)
    expect((await coordinator.get(`/cohorts/SHORT/members/${people.Edge!.crn}`)).statusCode).toBe(404)
    expect(
      (await coordinator.post(`/cohorts/SHORT/members/${people.Edge!.crn}/review`, form)).statusCode,
    ).toBe(404)
    expect((await coordinator.get('/cohorts/SHORT/members/nonsense')).statusCode).toBe(404)
    // A member with no review date yet gets their first.
    expect((await coordinator.post(`/cohorts/SHORT/members/${member.crn}/review`, form)).statusCode).toBe(303)
  })

  it('records a decision not to select, and stops suggesting the person', async () => {
    const edge = people.Edge!
    const response = await coordinator.post(`/cohorts/SHORT/suggestions/${edge.crn}`, {
      decision: 'not_select',
      reason: 'Already managed by MAPPA',
    })
    expect(response.statusCode).toBe(303)
    expect(await suggested(coordinator, 'SHORT')).not.toContain('Edge')
    const decision = await database.db
      .selectFrom('cohort_decisions')
      .selectAll()
      .where('person_id', '=', edge.id)
      .executeTakeFirstOrThrow()
    expect(decision).toMatchObject({ decision: 'not_selected', review_on: null })
    expect((await coordinator.get('/cohorts/SHORT/suggestions')).body).toContain('Already managed by MAPPA')
  })

  it('filters members by team, risk and review due', async () => {
    const all = await coordinator.get('/cohorts/SHORT')
    expect(all.body).toContain(people.Member!.crn)
    const due = await coordinator.get('/cohorts/SHORT?review=due')
    expect(due.body).not.toContain(people.Ten!.crn)
    const high = await coordinator.get('/cohorts/SHORT?risk=high')
    expect(high.body).toContain('0 of')
    const bad = await coordinator.get('/cohorts/SHORT?risk=extreme&team=nope&page=-4')
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Choose a risk level from the list')
  })

  it('lets managers look but not decide', async () => {
    expect((await manager.get('/cohorts')).statusCode).toBe(200)
    expect((await manager.get('/cohorts/SHORT/suggestions')).statusCode).toBe(200)
    const refused = await manager.post(`/cohorts/SHORT/suggestions/${people.Edge!.crn}`, {
      decision: 'select',
      reason: 'x',
      ...reviewDate('2027-01-01'),
    })
    expect(refused.statusCode).toBe(403)
    expect((await manager.get('/cohorts/new')).statusCode).toBe(403)
  })

  it('defines a cohort with GOV.UK errors, and refuses a stale edit', async () => {
    const invalid = await coordinator.post('/cohorts/new', {
      name: '',
      code: 'bad code!',
      minAge: 'twenty',
      roshLevels: 'extreme',
    })
    expect(invalid.statusCode).toBe(400)
    for (const message of [
      'Enter a cohort name',
      'Cohort code must only use letters',
      'Youngest age must be a whole number',
      'Choose risk levels from the list',
    ])
      expect(invalid.body).toContain(message)
    const backwards = await coordinator.post('/cohorts/new', {
      name: 'Backwards',
      code: 'BACK',
      minSentenceDays: '20',
      maxSentenceDays: '10',
    })
    expect(backwards.statusCode).toBe(400)
    expect(backwards.body).toContain(
      'Longest sentence must be the same as or longer than the shortest sentence',
    )
    const created = await coordinator.post('/cohorts/new', {
      name: 'Youth diversion',
      code: 'yd',
      regionId: region,
      maxAge: '25',
      sentenceTypes: ['community', 'suspended'],
    })
    expect(created.statusCode).toBe(303)
    expect(created.headers.location).toBe('/cohorts/YD')
    const stored = await database.db
      .selectFrom('cohorts')
      .select(['criteria', 'region_id', 'version'])
      .where('code', '=', 'YD')
      .executeTakeFirstOrThrow()
    expect(stored).toMatchObject({
      criteria: { maxAge: 25, sentenceTypes: ['community', 'suspended'] },
      version: 1,
    })
    const duplicate = await coordinator.post('/cohorts/new', { name: 'Again', code: 'YD' })
    expect(duplicate.body).toContain('A cohort with this code already exists')

    expect((await coordinator.get('/cohorts/YD/edit')).body).toContain('value="25"')
    const first = await coordinator.post('/cohorts/YD/edit', {
      name: 'Youth diversion',
      maxAge: '24',
      version: '1',
    })
    expect(first.statusCode).toBe(303)
    const stale = await coordinator.post('/cohorts/YD/edit', {
      name: 'Young people',
      maxAge: '21',
      version: '1',
    })
    expect(stale.statusCode).toBe(409)
    const after = await database.db
      .selectFrom('cohorts')
      .select(['name', 'criteria'])
      .where('code', '=', 'YD')
      .executeTakeFirstOrThrow()
    expect(after).toEqual({ name: 'Youth diversion', criteria: { maxAge: 24 } })
    expect((await coordinator.get('/cohorts/NOPE')).statusCode).toBe(404)
    expect((await coordinator.get('/cohorts/YD/suggestions/not-a-crn')).statusCode).toBe(404)
  })

  it('keeps a responsibilities matrix per area, and the most specific lead wins', async () => {
    const db = database.db
    await db
      .insertInto('responsibilities')
      .values([
        {
          cohort_id: null,
          region_id: null,
          pathway: 'accommodation',
          lead_agency_kind: 'third_sector',
          task_type: null,
          allocation_role: null,
        },
        {
          cohort_id: null,
          region_id: region,
          pathway: 'accommodation',
          lead_agency_kind: 'accommodation_provider',
          task_type: null,
          allocation_role: null,
        },
      ])
      .execute()
    const lead = (cohortIds: string[], regionId: string | null) =>
      leadForPathway(db, { cohortIds, regionId, pathway: 'accommodation' })
    expect(await lead([short.id], otherRegion)).toEqual({ agencyKind: 'third_sector', allocationRole: null })
    expect(await lead([short.id], region)).toMatchObject({ agencyKind: 'accommodation_provider' })

    const page = await coordinator.get('/cohorts/SHORT/responsibilities?area=national')
    expect(page.statusCode).toBe(200)
    const save = (area: string, lead: string, version: string) =>
      coordinator.post('/cohorts/SHORT/responsibilities', {
        area,
        'lead-pathway-accommodation': lead,
        'role-pathway-accommodation': 'housing_officer',
        'version-pathway-accommodation': version,
      })
    expect((await save('national', 'local_authority_housing', '0')).statusCode).toBe(303)
    expect(await lead([short.id], region)).toEqual({
      agencyKind: 'local_authority_housing',
      allocationRole: 'housing_officer',
    })
    expect((await save(region, 'probation', '0')).statusCode).toBe(303)
    expect(await lead([short.id], region)).toMatchObject({ agencyKind: 'probation' })
    expect(await lead([short.id], otherRegion)).toMatchObject({ agencyKind: 'local_authority_housing' })
    expect(await lead([young.id], region)).toMatchObject({ agencyKind: 'accommodation_provider' })
    // Someone else saved the national line first: a conflict, nothing overwritten.
    expect((await save('national', 'dwp', '0')).statusCode).toBe(409)
    const invalid = await save('national', 'martians', '1')
    expect(invalid.statusCode).toBe(400)
    expect(invalid.body).toContain('Choose a lead agency from the list')
    expect(
      await leadForTaskType(db, { cohortIds: [short.id], regionId: region, taskType: 'home_visit' }),
    ).toBeNull()
    expect((await manager.post('/cohorts/SHORT/responsibilities', { area: 'national' })).statusCode).toBe(403)
  })
})
