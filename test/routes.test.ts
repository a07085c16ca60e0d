import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../src/platform/access/actor.js'
import { Client, testApp } from './support/app.js'
import { engine, freshDatabase, type TestDatabase } from './support/database.js'
import * as f from './support/factories.js'

/**
 * Walks every registered route. Each one must refuse callers without a session or token,
 * and each one that shows personal data must write an audit record and show nothing to a
 * caller who has the right role but no relationship with the person.
 */

interface Fixture {
  crn: string
  surname: string
  /** Never part of any request, so it can only appear in a response that shows the person. */
  firstName: string
  reviewId: string
}

/** How to call each route that shows personal data, and who may. */
const PERSONAL: Record<string, { role: Role; path: (p: Fixture) => string; api?: boolean }> = {
  'GET /': { role: 'practitioner', path: () => '/' },
  'GET /caseload': { role: 'practitioner', path: () => '/caseload' },
  'GET /search': { role: 'practitioner', path: (p) => `/search?q=${p.surname}` },
  'GET /people/:crn': { role: 'practitioner', path: (p) => `/people/${p.crn}` },
  'GET /people/:crn/details': { role: 'practitioner', path: (p) => `/people/${p.crn}/details` },
  'GET /people/:crn/timeline': { role: 'practitioner', path: (p) => `/people/${p.crn}/timeline` },
  'GET /people/:crn/journey': { role: 'practitioner', path: (p) => `/people/${p.crn}/journey` },
  'GET /people/:crn/access-log': { role: 'practitioner', path: (p) => `/people/${p.crn}/access-log` },
  'GET /access-log': { role: 'data_protection_officer', path: (p) => `/access-log?crn=${p.crn}` },
  'GET /access-log/break-glass': { role: 'data_protection_officer', path: () => '/access-log/break-glass' },
  'GET /admin/restrictions': { role: 'administrator', path: (p) => `/admin/restrictions?crn=${p.crn}` },
  'GET /identity': { role: 'administrator', path: () => '/identity' },
  'GET /identity/reviews/:id': { role: 'administrator', path: (p) => `/identity/reviews/${p.reviewId}` },
  'GET /api/v1/people': { role: 'partner_worker', path: (p) => `/api/v1/people?q=${p.crn}`, api: true },
  'GET /api/v1/people/:crn': { role: 'partner_worker', path: (p) => `/api/v1/people/${p.crn}`, api: true },
  'GET /api/v1/people/:crn/timeline': {
    role: 'partner_worker',
    path: (p) => `/api/v1/people/${p.crn}/timeline`,
    api: true,
  },
}

/** Routes that show no personal data about people on probation, and why. */
const IMPERSONAL: Record<string, string> = {
  'GET /sign-in': 'sign-in form',
  'GET /sign-in/oidc': 'redirect to the identity provider',
  'GET /sign-in/oidc/callback': 'identity provider callback',
  'GET /privacy': 'static page',
  'GET /accessibility': 'static page',
  'GET /account': "the user's own account",
  'GET /break-glass': 'empty request form',
  'GET /insight': 'aggregate counts with small numbers suppressed',
  'GET /identity/merge': 'empty merge form',
  'GET /identity/merges/:id': "a merge's date and reason, no personal details",
}

let database: TestDatabase
let app: FastifyInstance
let person: Fixture
const cookies: Partial<Record<Role, { related: string; stranger: string }>> = {}
let apiTokens: { related: string; stranger: string }

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  const probation = await f.makeAgency(db)
  const police = await f.makeAgency(db, { kind: 'police' })
  const cohort = await f.makeCohort(db)
  await f.makeAgreement(db, {
    agencyIds: [probation, police],
    cohortIds: [cohort],
    categories: ['identity', 'risk'],
  })
  const made = await f.makePerson(db, {
    leadAgencyId: probation,
    firstName: 'Zebedee',
    lastName: 'Walkabout',
  })
  const source = await db
    .insertInto('source_records')
    .values({
      source_system: 'Police',
      source_ref: 'r1',
      agency_id: null,
      person_id: null,
      crn: null,
      noms_number: null,
      pnc_number: null,
      cro_number: null,
      first_name: 'Zeb',
      last_name: 'Walkabout',
      date_of_birth: null,
      gender: null,
      postcode: null,
      match_outcome: 'pending',
      match_score: 9,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const review = await db
    .insertInto('match_reviews')
    .values({ source_record_id: source.id, candidate_person_id: made.id, score: 9, explanation: '[]' })
    .returning('id')
    .executeTakeFirstOrThrow()
  person = { crn: made.crn, surname: 'Walkabout', firstName: 'Zebedee', reviewId: review.id }
  await f.addTimelineEvent(db, made.id, { category: 'risk', agencyId: probation })
  await f.joinCohort(db, made.id, cohort)
  for (const role of ['practitioner', 'data_protection_officer', 'administrator'] as Role[]) {
    const related = await f.makeUser(db, { agencyId: probation, roles: [role] })
    const stranger = await f.makeUser(db, { agencyId: probation, roles: [role] })
    if (role === 'practitioner') {
      await f.allocate(db, made.id, related, { agencyId: probation, isLead: true })
      const at = new Date()
      at.setUTCHours(12, 0, 0, 0)
      await db
        .insertInto('appointments')
        .values({
          person_id: made.id,
          starts_at: at,
          ends_at: at,
          kind: 'office_visit',
          location: 'Office',
          staff_user_id: related,
          agency_id: probation,
          outcome: null,
          outcome_recorded_at: null,
          notes: null,
        })
        .execute()
      await db
        .insertInto('break_glass_grants')
        .values({
          person_id: made.id,
          user_id: stranger,
          reason: 'Test emergency access',
          expires_at: new Date(Date.now() - 1000),
        })
        .execute()
    }
    cookies[role] = {
      related: await f.sessionCookie(db, related),
      stranger: await f.sessionCookie(db, stranger),
    }
  }
  apiTokens = {
    related: (await f.makeApiClient(db, police, ['people:read', 'timeline:read'])).token,
    stranger: (
      await f.makeApiClient(db, await f.makeAgency(db, { kind: 'health' }), ['people:read', 'timeline:read'])
    ).token,
  }
  app = await testApp(db)
})

afterAll(async () => {
  await app.close()
  await database.destroy()
})

const key = (route: { method: string; url: string }) => `${route.method} ${route.url}`

describe(`every route on ${engine}`, () => {
  it('is classified here as showing personal data or not, so none is added without a check', () => {
    const gets = app.routeCatalogue.filter((r) => r.method === 'GET' && r.access.kind !== 'public').map(key)
    for (const route of gets) {
      // Administration of agencies, teams, users and agreements holds no data about people on probation.
      const administration = route.startsWith('GET /admin') && !(route in PERSONAL)
      expect(route in PERSONAL || route in IMPERSONAL || administration, `${route} is not classified`).toBe(
        true,
      )
    }
  })

  it('refuses callers without a session or token', async () => {
    for (const route of app.routeCatalogue.filter((r) => r.access.kind !== 'public' && r.method !== 'HEAD')) {
      const url = route.url
        .replace(':crn', person.crn)
        .replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000')
      const response = await app.inject({ method: route.method as 'GET', url })
      if (route.access.kind === 'api') {
        expect(response.statusCode, key(route)).toBe(401)
        expect(response.headers['content-type'], key(route)).toContain('application/problem+json')
      } else if (route.method === 'GET') {
        expect(response.statusCode, key(route)).toBe(302)
        expect(response.headers.location, key(route)).toMatch(/^\/sign-in\?returnTo=/)
      } else {
        expect(response.statusCode, key(route)).toBe(401)
      }
      expect(response.body, key(route)).not.toContain(person.firstName)
    }
  })

  it.each(Object.entries(PERSONAL))(
    '%s writes an audit record and shows nothing without a relationship',
    async (route, how) => {
      const call = (who: 'related' | 'stranger') =>
        how.api
          ? app.inject({ url: how.path(person), headers: { authorization: `Bearer ${apiTokens[who]}` } })
          : new Client(app, cookies[how.role]![who]).get(how.path(person))
      const before = await database.db
        .selectFrom('audit_log')
        .select('id')
        .where('route', 'like', `%${route}`)
        .execute()
      const allowed = await call('related')
      expect(allowed.statusCode, route).toBe(200)
      expect(allowed.body, route).toContain(route.includes('timeline') ? 'A risk event' : person.crn)
      const after = await database.db
        .selectFrom('audit_log')
        .select(['id', 'person_ids'])
        .where('route', 'like', `%${route}`)
        .execute()
      expect(after.length, `${route} wrote no audit record`).toBeGreaterThan(before.length)

      const refused = await call('stranger')
      const oversight =
        route.startsWith('GET /access-log') ||
        route.startsWith('GET /admin/') ||
        route.startsWith('GET /identity')
      if (!oversight) {
        expect([200, 404], route).toContain(refused.statusCode)
        expect(refused.body, route).not.toContain(person.firstName)
      }
    },
  )
})
