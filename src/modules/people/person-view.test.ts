import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { fixedClock } from '../../platform/clock.js'
import { buildJourney, journeySvg } from './journey.js'
import { describePerson } from './summary.js'

let database: TestDatabase
let app: FastifyInstance
let probation: string
let police: string
let lead: Client
let partner: Client
let person: { id: string; crn: string }
const clock = fixedClock('2026-11-23T10:00:00Z')

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  probation = await f.makeAgency(db, { name: 'Probation North' })
  police = await f.makeAgency(db, { kind: 'police', name: 'North Police' })
  const cohort = await f.makeCohort(db, 'IOM')
  await f.makeAgreement(db, {
    agencyIds: [probation, police],
    cohortIds: [cohort],
    categories: ['identity', 'sentence', 'police_intelligence'],
  })
  person = await f.makePerson(db, {
    leadAgencyId: probation,
    firstName: 'Jordan',
    lastName: 'Pike',
    crn: 'P100001',
    dateOfBirth: '1996-05-17',
  })
  await f.joinCohort(db, person.id, cohort)
  const leadId = await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], name: 'Lee Lead' })
  await f.allocate(db, person.id, leadId, { agencyId: probation, isLead: true })
  lead = new Client(app, '')
  // 60 events over 60 days from three agencies in three categories, one a day, newest today.
  for (let day = 0; day < 60; day++) {
    const at = new Date(Date.parse('2026-11-23T09:00:00Z') - day * 86_400_000).toISOString()
    const [agencyId, category, pathway] =
      day % 3 === 0
        ? [police, 'police_intelligence', null]
        : day % 3 === 1
          ? [probation, 'supervision', 'accommodation']
          : [probation, 'sentence', null]
    await db
      .insertInto('timeline_events')
      .values({
        person_id: person.id,
        occurred_at: at,
        kind: `${category}.noted`,
        category,
        agency_id: agencyId,
        source_system: 'Test',
        title: `Day ${day}`,
        summary: null,
        pathway,
      })
      .execute()
  }
  await db
    .insertInto('sentences')
    .values({
      person_id: person.id,
      event_number: 1,
      sentence_type: 'long_custody',
      description: 'Custodial sentence, 2 years',
      offence: 'Burglary in a dwelling',
      offence_category: 'burglary_domestic',
      court: 'Leeds Crown Court',
      sentenced_on: '2025-06-02',
      length_days: 730,
      expected_release_on: '2026-06-01',
      licence_end_on: '2027-06-01',
      sentence_end_on: '2027-06-01',
      ended_on: null,
    })
    .execute()
  await db
    .insertInto('custody_episodes')
    .values({
      person_id: person.id,
      prison_code: 'LEI',
      prison_name: 'HMP Leeds',
      received_on: '2025-06-02',
      released_on: '2026-06-01',
      release_reason: 'RELEASED',
    })
    .execute()
  await db
    .updateTable('people')
    .set({ custody_status: 'released_on_licence' })
    .where('id', '=', person.id)
    .execute()
  app = await testApp(db, { clock })
  lead = new Client(app, await f.sessionCookie(db, leadId, clock.now()))
  partner = new Client(
    app,
    await f.sessionCookie(
      db,
      await f.makeUser(db, { agencyId: police, roles: ['partner_worker'] }),
      clock.now(),
    ),
  )
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

const titles = (body: string) =>
  [...body.matchAll(/moj-timeline__title">Day (\d+)</g)].map((m) => Number(m[1]))

describe(`the person's pages on ${engine}`, () => {
  it('summarises the person in plain language from what the reader may see', async () => {
    const page = await lead.get(`/people/${person.crn}`)
    expect(page.body).toContain(
      'Jordan Pike, 30, was released from HMP Leeds on 1 June on licence until 1 June 2027.',
    )
    expect(page.body).toContain('His case is managed by Lee Lead (Probation North).')
    expect(page.body).toContain('On licence, for 175 days')
  })

  it('pages through the timeline newest first, by day, without gaps or repeats', async () => {
    const first = await lead.get(`/people/${person.crn}/timeline`)
    expect(titles(first.body)).toEqual([...Array(25).keys()])
    expect(first.body).toContain('<h3 class="govuk-heading-s app-timeline-day">23 November 2026</h3>')
    const next = /href="\/people\/P100001\/timeline\?([^"]+)" rel="next"/
      .exec(first.body)![1]!
      .replace(/&amp;/g, '&')
    const second = await lead.get(`/people/${person.crn}/timeline?${next}`)
    expect(titles(second.body)).toEqual([...Array(25).keys()].map((n) => n + 25))
    const third = await lead.get(
      `/people/${person.crn}/timeline?${/href="\/people\/P100001\/timeline\?([^"]+)" rel="next"/.exec(second.body)![1]!.replace(/&amp;/g, '&')}`,
    )
    expect(titles(third.body)).toEqual([...Array(10).keys()].map((n) => n + 50))
    expect(third.body).not.toContain('rel="next"')
  })

  it('filters the timeline by agency, kind, pathway and dates', async () => {
    const byAgency = await lead.get(`/people/${person.crn}/timeline?agency=${police}`)
    expect(titles(byAgency.body).every((d) => d % 3 === 0)).toBe(true)
    const byKind = await lead.get(`/people/${person.crn}/timeline?kind=sentence`)
    expect(titles(byKind.body).every((d) => d % 3 === 2)).toBe(true)
    const byPathway = await lead.get(`/people/${person.crn}/timeline?pathway=accommodation`)
    expect(titles(byPathway.body).every((d) => d % 3 === 1)).toBe(true)
    const byDates = await lead.get(`/people/${person.crn}/timeline?from=2026-11-20&to=2026-11-22`)
    expect(titles(byDates.body)).toEqual([1, 2, 3])
    const bad = await lead.get(`/people/${person.crn}/timeline?from=last+week&pathway=nonsense`)
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('From must be a date like 2026-03-21')
    expect(bad.body).toContain('Choose a pathway from the list')
  })

  it('shows a partner only the shared categories and their own agency’s items, and no count of the rest', async () => {
    const timeline = await partner.get(`/people/${person.crn}/timeline`)
    const days = titles(timeline.body)
    expect(days.length).toBeGreaterThan(0)
    // Sentence items are shared; police intelligence is the partner's own; supervision is withheld.
    expect(days.every((d) => d % 3 !== 1)).toBe(true)
    const overview = await partner.get(`/people/${person.crn}`)
    expect(overview.body).not.toContain('not shared with you.')
    const leadView = await lead.get(`/people/${person.crn}`)
    expect(leadView.body).not.toContain('not shared with you')
  })

  it('shows an agency’s item only where an agreement with that agency shares it, and tells the lead what is withheld', async () => {
    const db = database.db
    const housing = await f.makeAgency(db, { kind: 'local_authority_housing', name: 'Northern Housing' })
    await db
      .insertInto('timeline_events')
      .values({
        person_id: person.id,
        occurred_at: '2026-11-23T09:30:00Z',
        kind: 'accommodation.noted',
        category: 'accommodation',
        agency_id: housing,
        source_system: 'Test',
        title: 'Housing note',
        summary: null,
        pathway: 'accommodation',
      })
      .execute()
    // No agreement with the housing provider: the lead sees a count, not the item.
    const before = await lead.get(`/people/${person.crn}/timeline`)
    expect(before.body).not.toContain('Housing note')
    expect((await lead.get(`/people/${person.crn}`)).body).toContain(
      '1 item from another agency is not shared with you.',
    )
    // Nor does the police partner, who is not told it exists.
    expect((await partner.get(`/people/${person.crn}/timeline`)).body).not.toContain('Housing note')
    expect((await partner.get(`/people/${person.crn}`)).body).not.toContain('not shared with you')

    const cohort = await db
      .selectFrom('cohorts')
      .select('id')
      .where('name', '=', 'IOM')
      .executeTakeFirstOrThrow()
    await f.makeAgreement(db, {
      agencyIds: [probation, housing],
      cohortIds: [cohort.id],
      categories: ['accommodation'],
    })
    expect((await lead.get(`/people/${person.crn}/timeline`)).body).toContain('Housing note')
    expect((await lead.get(`/people/${person.crn}`)).body).not.toContain('not shared with you')
    // The police partner's agreement is with probation, not with the housing provider.
    expect((await partner.get(`/people/${person.crn}/timeline`)).body).not.toContain('Housing note')
  })

  it('draws the journey with the stages, their days, and a table of the same', async () => {
    const page = await lead.get(`/people/${person.crn}/journey`)
    expect(page.body).toContain('<svg')
    expect(page.body).toContain('role="img"')
    expect(page.body).toContain('Custody from 2 June 2025 to 1 June 2026')
    expect(page.body).toMatch(/On licence<\/th>\s*<td class="govuk-table__cell app-nowrap">1 June 2026<\/td>/)
  })

  it('sends a merged CRN to the person it was merged into', async () => {
    const other = await f.makePerson(database.db, { leadAgencyId: probation, crn: 'P100002' })
    await database.db
      .updateTable('people')
      .set({ merged_into: person.id })
      .where('id', '=', other.id)
      .execute()
    const response = await lead.get('/people/P100002/timeline?agency=all')
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe('/people/P100001/timeline?agency=all')
    // Every page about a person does the same, not only the single view's.
    for (const page of ['plan', 'appointments', 'flags', 'tasks']) {
      const other = await lead.get(`/people/P100002/${page}`)
      expect(other.headers.location).toBe(`/people/P100001/${page}`)
    }
  })
})

describe('journey and summary', () => {
  const sentence = {
    description: 'Community order, 12 months',
    sentence_type: 'community',
    offence: 'Theft from a shop',
    sentenced_on: '2026-03-01',
    expected_release_on: null,
    licence_end_on: null,
    sentence_end_on: '2027-03-01',
    ended_on: null,
  }

  it('works out the stages and which one the person is in today', () => {
    const journey = buildJourney([sentence], [], '2026-11-23')
    expect(journey.stages.map((s) => s.name)).toEqual(['Court', 'Community supervision'])
    expect(journey.current?.name).toBe('Community supervision')
    expect(journey.daysInStage).toBe(267)
    const ended = buildJourney([{ ...sentence, sentence_end_on: '2026-10-01' }], [], '2026-11-23')
    expect(ended.current?.name).toBe('Ended')
    const svg = journeySvg(
      journey.stages,
      [{ occurred_at: '2026-03-01T10:00:00Z', title: 'Sentenced <today>' }],
      '2026-11-23',
    )
    expect(svg).toContain('<title id="journey-title">')
    expect(svg).toContain('Sentenced &lt;today&gt;')
  })

  it('speaks of people as they are and leaves out what is not shared', () => {
    const person = {
      id: 'x',
      crn: 'X000001',
      nomsNumber: null,
      pncNumber: null,
      croNumber: null,
      firstName: 'Alex',
      lastName: 'Reed',
      dateOfBirth: '1990-01-01',
      gender: 'non_binary',
      custodyStatus: 'community',
      prisonCode: null,
      roshLevel: null,
      mappaCategory: null,
      mappaLevel: null,
      tier: null,
      leadAgencyName: 'Probation',
      leadTeamName: null,
      access: { relationship: 'agreement' as const, categories: ['identity' as const] },
    }
    const text = describePerson(
      {
        person,
        age: 36,
        sentences: [sentence],
        custody: [],
        workers: [{ display_name: 'Kim Lo', agency_name: 'Probation', is_lead: true }],
        appointments: [],
        address: { kind: 'no_fixed_abode', town: null },
      },
      '2026-11-23',
    )
    expect(text).toBe(
      'Alex Reed, 36, is serving a community order, 12 months for theft from a shop, which ends on 1 March 2027. Their case is managed by Kim Lo (Probation). They have no fixed abode.',
    )
  })
})
