import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findReach, mayReach } from '../src/platform/access/access.js'
import {
  CASEWORK_ROLES,
  type Actor,
  DATA_CATEGORIES,
  ROLES,
  type DataCategory,
  type Role,
} from '../src/platform/access/actor.js'
import { Client, testApp } from './support/app.js'
import { engine, freshDatabase, type TestDatabase } from './support/database.js'
import * as f from './support/factories.js'

/**
 * The access matrix: every role × every relationship to a person × every data category,
 * through the person page, search and the API. The same person must be visible (or not),
 * with the same categories, whichever way it is asked for.
 */

const RELATIONSHIPS = [
  'allocated',
  'team',
  'agreement-covering',
  'agreement-not-covering',
  'agreement-expired',
  'agreement-suspended',
  'allocated-partner',
  'restricted',
  'restricted-allowed',
  'excluded',
  'none',
] as const
type Relationship = (typeof RELATIONSHIPS)[number]

/** What the agreement between probation and the police shares. */
const POLICE_SHARES: DataCategory[] = ['identity', 'sentence', 'risk', 'police_intelligence']

function expected(role: Role, relationship: Relationship): DataCategory[] | null {
  if (!CASEWORK_ROLES.includes(role)) return null
  switch (relationship) {
    case 'allocated':
    case 'team':
    case 'restricted-allowed':
      return [...DATA_CATEGORIES]
    case 'agreement-covering':
      return POLICE_SHARES
    case 'allocated-partner':
      return ['identity']
    default:
      return null
  }
}

let database: TestDatabase
let app: FastifyInstance
const cases: { role: Role; relationship: Relationship; cookie: string; crn: string; surname: string }[] = []
const apiCases: { relationship: Relationship; token: string; crn: string; surname: string }[] = []

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  const probation = await f.makeAgency(db, { kind: 'probation', name: 'Probation' })
  const police = await f.makeAgency(db, { kind: 'police', name: 'Police' })
  const health = await f.makeAgency(db, { kind: 'health', name: 'Health' })
  const team = await f.makeTeam(db, probation)
  const otherTeam = await f.makeTeam(db, probation)
  const iom = await f.makeCohort(db, 'IOM')
  const other = await f.makeCohort(db, 'Other')
  await f.makeAgreement(db, { agencyIds: [probation, police], cohortIds: [iom], categories: POLICE_SHARES })
  await f.makeAgreement(db, {
    agencyIds: [probation, health],
    cohortIds: [iom],
    categories: ['identity', 'health'],
    endsOn: '2025-06-30',
  })
  await f.makeAgreement(db, {
    agencyIds: [probation, police],
    cohortIds: [other],
    categories: ['victim'],
    status: 'suspended',
  })

  /** A person set up for one relationship, and the agency and teams its actor needs. */
  async function scenario(relationship: Relationship, n: number) {
    const surname = `Matrix${relationship.replace(/-/g, '')}${n}`
    const person = await f.makePerson(db, {
      leadAgencyId: probation,
      leadTeamId: otherTeam,
      lastName: surname,
      crn: `M${String(100000 + n)}`,
    })
    for (const category of DATA_CATEGORIES)
      await f.addTimelineEvent(db, person.id, {
        category,
        agencyId: probation,
        title: `Event in ${category}`,
      })
    const partner = [
      'agreement-covering',
      'agreement-not-covering',
      'agreement-suspended',
      'allocated-partner',
    ].includes(relationship)
    const agencyId = relationship === 'agreement-expired' ? health : partner ? police : probation
    let teamIds: string[] = []
    if (relationship === 'team') {
      await database.db
        .updateTable('people')
        .set({ lead_team_id: team })
        .where('id', '=', person.id)
        .execute()
      teamIds = [team]
    }
    if (
      [
        'agreement-covering',
        'agreement-expired',
        'allocated-partner',
        'restricted',
        'restricted-allowed',
        'excluded',
      ].includes(relationship)
    ) {
      await f.joinCohort(db, person.id, relationship === 'allocated-partner' ? other : iom)
    }
    if (relationship === 'agreement-not-covering' || relationship === 'agreement-suspended')
      await f.joinCohort(db, person.id, other)
    return { person, surname, agencyId, teamIds }
  }

  let n = 0
  for (const role of ROLES) {
    for (const relationship of RELATIONSHIPS) {
      const { person, surname, agencyId, teamIds } = await scenario(relationship, ++n)
      const userId = await f.makeUser(db, { agencyId, roles: [role], teamIds })
      if (
        ['allocated', 'allocated-partner', 'restricted', 'restricted-allowed', 'excluded'].includes(
          relationship,
        )
      ) {
        await f.allocate(db, person.id, userId, { agencyId })
      }
      if (relationship === 'restricted')
        await f.restrict(db, person.id, await f.makeUser(db, { agencyId, roles: ['practitioner'] }), 'allow')
      if (relationship === 'restricted-allowed') await f.restrict(db, person.id, userId, 'allow')
      if (relationship === 'excluded') await f.restrict(db, person.id, userId, 'deny')
      cases.push({ role, relationship, cookie: await f.sessionCookie(db, userId), crn: person.crn, surname })
    }
  }
  for (const relationship of RELATIONSHIPS.filter(
    (r) => !r.startsWith('allocated') && r !== 'restricted-allowed',
  )) {
    const { person, surname, agencyId, teamIds } = await scenario(relationship, ++n)
    const client = await f.makeApiClient(db, agencyId, ['people:read', 'timeline:read'])
    for (const teamId of teamIds)
      await db.insertInto('team_members').values({ team_id: teamId, user_id: client.userId }).execute()
    if (relationship === 'restricted')
      await f.restrict(db, person.id, await f.makeUser(db, { agencyId, roles: ['practitioner'] }), 'allow')
    if (relationship === 'excluded') await f.restrict(db, person.id, client.userId, 'deny')
    apiCases.push({ relationship, token: client.token, crn: person.crn, surname })
  }
  app = await testApp(db)
}, 120_000)

afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

describe(`access matrix on ${engine}`, () => {
  it.each(ROLES)('%s: person page shows exactly the categories each relationship allows', async (role) => {
    for (const c of cases.filter((x) => x.role === role)) {
      const client = new Client(app, c.cookie)
      const response = await client.get(`/people/${c.crn}`)
      const categories = expected(role, c.relationship)
      const context = `${role} / ${c.relationship}`
      if (!CASEWORK_ROLES.includes(role)) {
        expect(response.statusCode, context).toBe(403)
        expect(response.body, context).not.toContain(c.surname)
        continue
      }
      if (!categories) {
        expect(response.statusCode, context).toBe(404)
        expect(response.body, context).not.toContain(c.surname)
        continue
      }
      expect(response.statusCode, context).toBe(200)
      const timeline = await client.get(`/people/${c.crn}/timeline`)
      for (const category of DATA_CATEGORIES) {
        expect(timeline.body.includes(`Event in ${category}<`), `${context} / ${category}`).toBe(
          categories.includes(category),
        )
      }
      for (const page of ['details', 'journey']) {
        expect((await client.get(`/people/${c.crn}/${page}`)).statusCode, `${context} / ${page}`).toBe(200)
      }
    }
  })

  it.each(ROLES)('%s: search finds a person exactly when the page can be seen', async (role) => {
    for (const c of cases.filter((x) => x.role === role)) {
      const response = await new Client(app, c.cookie).get(`/search?q=${c.surname}`)
      const context = `${role} / ${c.relationship}`
      if (!CASEWORK_ROLES.includes(role)) {
        expect(response.statusCode, context).toBe(403)
        continue
      }
      expect(response.statusCode, context).toBe(200)
      expect(response.body.includes(c.crn), context).toBe(expected(role, c.relationship) !== null)
    }
  })

  it('the cheap pre-check search narrows with never passes over someone the access rules show', async () => {
    const db = database.db
    // Someone in the lead agency with no team, allocation or agreement, who broke the glass.
    const probation = await db
      .selectFrom('agencies')
      .select('id')
      .where('name', '=', 'Probation')
      .executeTakeFirstOrThrow()
    const glassBreaker = await f.makeUser(db, { agencyId: probation.id, roles: ['practitioner'] })
    const person = await db
      .selectFrom('people')
      .select('id')
      .where('crn', '=', cases[0]!.crn)
      .executeTakeFirstOrThrow()
    await db
      .insertInto('break_glass_grants')
      .values({
        person_id: person.id,
        user_id: glassBreaker,
        reason: 'Urgent safeguarding call out of hours',
        expires_at: new Date(Date.now() + 3_600_000),
      })
      .execute()
    const users = await db.selectFrom('users').select('id').execute()
    let shown = 0
    for (const { id } of users) {
      const actor = { userId: id } as Actor
      const reach = await findReach(db, actor)
      const missed = await sql<{ crn: string; relationship: string }>`
        select p.crn, access.relationship from people p
        join lateral (select * from person_access(p, ${id}::uuid) offset 0) access on true
        where not ${mayReach(actor, reach)}`.execute(db)
      expect(missed.rows).toEqual([])
      shown += Number(
        (
          await sql<{
            n: number
          }>`select count(*)::int as n from people p, person_access(p, ${id}::uuid)`.execute(db)
        ).rows[0]!.n,
      )
    }
    // Every relationship above was among those checked, break-glass included.
    expect(shown).toBeGreaterThan(cases.length / 2)
    const glass = await sql<{ relationship: string }>`select access.relationship from people p,
      person_access(p, ${glassBreaker}::uuid) access where p.id = ${person.id}::uuid`.execute(db)
    expect(glass.rows).toEqual([{ relationship: 'break_glass' }])
  })

  it('API clients see the same people and categories as their agency would through a page', async () => {
    for (const c of apiCases) {
      const headers = { authorization: `Bearer ${c.token}` }
      const categories = expected('partner_worker', c.relationship)
      const person = await app.inject({ url: `/api/v1/people/${c.crn}`, headers })
      const search = await app.inject({ url: `/api/v1/people?q=${c.crn}`, headers })
      const timeline = await app.inject({ url: `/api/v1/people/${c.crn}/timeline`, headers })
      expect(search.statusCode, c.relationship).toBe(200)
      if (!categories) {
        expect(person.statusCode, c.relationship).toBe(404)
        expect(person.headers['content-type'], c.relationship).toContain('application/problem+json')
        expect(person.body).not.toContain(c.surname)
        expect(search.json().people, c.relationship).toEqual([])
        expect(timeline.statusCode, c.relationship).toBe(404)
        continue
      }
      expect(person.statusCode, c.relationship).toBe(200)
      const body = person.json()
      expect(body.access.categories, c.relationship).toEqual(categories)
      expect('sentence' in body, c.relationship).toBe(categories.includes('sentence'))
      expect('risk' in body, c.relationship).toBe(categories.includes('risk'))
      expect(
        search.json().people.map((p: { crn: string }) => p.crn),
        c.relationship,
      ).toEqual([c.crn])
      const seen = new Set(timeline.json().items.map((i: { category: string }) => i.category))
      expect([...seen].sort(), c.relationship).toEqual([...categories].sort())
    }
  })

  it('every view, search and API call above was written to the audit log', async () => {
    const rows = await database.db.selectFrom('audit_log').select(['action', 'route']).execute()
    const visibleCases = cases.filter((c) => expected(c.role, c.relationship) !== null).length
    for (const page of ['', '/timeline', '/details', '/journey']) {
      const reads = rows.filter((r) => r.action === 'read' && r.route === `GET /people/:crn${page}`).length
      expect(reads, page).toBe(visibleCases)
    }
    expect(rows.filter((r) => r.route === 'GET /search').length).toBe(
      cases.filter((c) => CASEWORK_ROLES.includes(c.role)).length,
    )
    expect(rows.filter((r) => r.route.startsWith('API ')).length).toBeGreaterThan(0)
  })
})
