import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../src/platform/access/actor.js'
import { Client, testApp } from './support/app.js'
import { engine, freshDatabase, type TestDatabase } from './support/database.js'
import * as f from './support/factories.js'
import * as pf from './support/plans-factories.js'

/**
 * Walks every registered route. Each one must refuse callers without a session or token,
 * and each one that shows personal data must write an audit record and show nothing to a
 * caller who has the right role but no relationship with the person.
 */

interface Fixture {
  crn: string
  cohortCode: string
  practitionerId: string
  surname: string
  /** Never part of any request, so it can only appear in a response that shows the person. */
  firstName: string
  reviewId: string
  objectiveId: string
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
  'GET /people/:crn/allocation': { role: 'practitioner', path: (p) => `/people/${p.crn}/allocation` },
  'GET /people/:crn/appointments': { role: 'practitioner', path: (p) => `/people/${p.crn}/appointments` },
  'GET /people/:crn/contacts': { role: 'practitioner', path: (p) => `/people/${p.crn}/contacts` },
  'GET /people/:crn/plan': { role: 'practitioner', path: (p) => `/people/${p.crn}/plan` },
  'GET /people/:crn/plan/objectives/new': {
    role: 'practitioner',
    path: (p) => `/people/${p.crn}/plan/objectives/new`,
  },
  'GET /people/:crn/plan/objectives/:objectiveId': {
    role: 'practitioner',
    path: (p) => `/people/${p.crn}/plan/objectives/${p.objectiveId}`,
  },
  'GET /people/:crn/tasks': { role: 'practitioner', path: (p) => `/people/${p.crn}/tasks` },
  'GET /people/:crn/referrals': { role: 'practitioner', path: (p) => `/people/${p.crn}/referrals` },
  'GET /people/:crn/referrals/new': { role: 'practitioner', path: (p) => `/people/${p.crn}/referrals/new` },
  'GET /people/:crn/flags': { role: 'practitioner', path: (p) => `/people/${p.crn}/flags` },
  'GET /people/:crn/scores': { role: 'practitioner', path: (p) => `/people/${p.crn}/scores` },
  'GET /appointments': { role: 'practitioner', path: () => '/appointments' },
  'GET /caseload/team/:userId': { role: 'manager', path: (p) => `/caseload/team/${p.practitionerId}` },
  'GET /allocations': { role: 'manager', path: () => '/allocations' },
  'GET /allocations/:crn': { role: 'manager', path: (p) => `/allocations/${p.crn}` },
  'GET /cohorts/:code': { role: 'coordinator', path: (p) => `/cohorts/${p.cohortCode}` },
  'GET /cohorts/:code/suggestions/:crn': {
    role: 'coordinator',
    path: (p) => `/cohorts/${p.cohortCode}/suggestions/${p.crn}`,
  },
  'GET /cohorts/:code/members/:crn': {
    role: 'coordinator',
    path: (p) => `/cohorts/${p.cohortCode}/members/${p.crn}`,
  },
  'GET /cohorts/:code/members/:crn/deselect': {
    role: 'coordinator',
    path: (p) => `/cohorts/${p.cohortCode}/members/${p.crn}/deselect`,
  },
  'GET /api/v1/people': { role: 'partner_worker', path: (p) => `/api/v1/people?q=${p.crn}`, api: true },
  'GET /api/v1/people/:crn': { role: 'partner_worker', path: (p) => `/api/v1/people/${p.crn}`, api: true },
  'GET /api/v1/people/:crn/timeline': {
    role: 'partner_worker',
    path: (p) => `/api/v1/people/${p.crn}/timeline`,
    api: true,
  },
  'GET /api/v1/people/:crn/appointments': {
    role: 'partner_worker',
    path: (p) => `/api/v1/people/${p.crn}/appointments`,
    api: true,
  },
  'GET /api/v1/people/:crn/plan': {
    role: 'partner_worker',
    path: (p) => `/api/v1/people/${p.crn}/plan`,
    api: true,
  },
  'GET /api/v1/people/:crn/flags': {
    role: 'partner_worker',
    path: (p) => `/api/v1/people/${p.crn}/flags`,
    api: true,
  },
  'GET /api/v1/people/:crn/referrals': {
    role: 'partner_worker',
    path: (p) => `/api/v1/people/${p.crn}/referrals`,
    api: true,
  },
}

/**
 * Routes that show personal data but need records this walk does not make (an appointment, an
 * action, a suggestion, a duplicate pair): their audit and access checks are in the named tests.
 */
const COVERED_ELSEWHERE: Record<string, string> = {
  'GET /my-day/events': 'src/modules/home: the live flags of My day, for the same people as GET /',
  'GET /people/:crn/appointments/:id/outcome': 'src/modules/supervision/supervision.test.ts',
  'GET /people/:crn/contacts/:id': 'src/modules/supervision/supervision.test.ts',
  'GET /people/:crn/plan/objectives/:objectiveId/actions/new': 'src/modules/plans/plans.test.ts',
  'GET /people/:crn/plan/actions/:actionId': 'src/modules/plans/plans.test.ts',
  'GET /plans/duplicates': 'src/modules/plans/plans.test.ts',
  'GET /people/:crn/referrals/:referralId': 'src/modules/referrals/referrals.test.ts',
  'GET /people/:crn/suggestions/:id/dismiss': 'src/modules/process/suggestions.test.ts',
  'GET /cohorts/:code/suggestions': 'src/modules/cohorts/cohorts.test.ts',
  'GET /rules/:code/versions/:version/preview': 'src/modules/intelligence/rules.test.ts',
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
  'GET /dashboards': 'aggregate figures for an area, small numbers suppressed beyond a caseload or own team',
  'GET /dashboards/:measure.csv': 'the same aggregate figures as CSV',
  'GET /identity/merge': 'empty merge form',
  'GET /identity/merges/:id': "a merge's date and reason, no personal details",
  'GET /cohorts': 'cohort names and counts',
  'GET /cohorts/new': 'empty cohort form',
  'GET /cohorts/:code/edit': "a cohort's criteria",
  'GET /cohorts/:code/responsibilities': 'which agency leads which pathway',
  'GET /allocations/workload-settings': 'workload weights',
  'GET /caseload/team': "each practitioner's number of cases, points and capacity",
  'GET /templates': 'process templates',
  'GET /templates/new': 'empty template form',
  'GET /templates/:id': 'a process template',
  'GET /templates/:id/stages/:code': 'a stage of a process template',
  'GET /templates/:id/stages/:code/tasks/:task': 'a task of a process template',
  'GET /templates/:id/migrate': 'counts of people at each stage',
  'GET /rules': 'rule definitions',
  'GET /rules/:code': 'a rule and its versions',
  'GET /rules/:code/edit': 'a rule form',
  'GET /fairness': 'aggregate rates by group with small numbers suppressed',
  'GET /scores/weights': 'the disputed OGRS3 weights',
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
  const code = await db
    .selectFrom('cohorts')
    .select('code')
    .where('id', '=', cohort)
    .executeTakeFirstOrThrow()
  await f.addTimelineEvent(db, made.id, { category: 'risk', agencyId: probation })
  await f.joinCohort(db, made.id, cohort)
  const objectiveId = await pf.makeObjective(db, made.id, { pathway: 'attitudes_thinking_behaviour' })
  // The person's case is held by a team: its manager and coordinator are related to them.
  const team = await f.makeTeam(db, probation)
  await db.updateTable('people').set({ lead_team_id: team }).where('id', '=', made.id).execute()
  await db
    .insertInto('allocation_requests')
    .values({ person_id: made.id, team_id: team, reason: 'New case', requested_by: null })
    .execute()
  let practitionerId = ''
  for (const role of [
    'practitioner',
    'manager',
    'coordinator',
    'data_protection_officer',
    'administrator',
  ] as Role[]) {
    const teamIds = role === 'manager' || role === 'coordinator' ? [team] : []
    const related = await f.makeUser(db, { agencyId: probation, roles: [role], teamIds })
    const stranger = await f.makeUser(db, { agencyId: probation, roles: [role] })
    if (role === 'practitioner') {
      practitionerId = related
      await db.insertInto('team_members').values({ team_id: team, user_id: related }).execute()
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
  person = {
    crn: made.crn,
    cohortCode: code.code,
    practitionerId,
    surname: 'Walkabout',
    firstName: 'Zebedee',
    reviewId: review.id,
    objectiveId,
  }
  const scopes = [
    'people:read',
    'timeline:read',
    'appointments:read',
    'plans:read',
    'flags:read',
    'referrals:read',
  ]
  apiTokens = {
    related: (await f.makeApiClient(db, police, scopes)).token,
    stranger: (await f.makeApiClient(db, await f.makeAgency(db, { kind: 'health' }), scopes)).token,
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
      expect(
        route in PERSONAL || route in IMPERSONAL || route in COVERED_ELSEWHERE || administration,
        `${route} is not classified`,
      ).toBe(true)
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
