import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'

let database: TestDatabase
let app: FastifyInstance
let admin: Client
let probation: string

beforeAll(async () => {
  database = await freshDatabase()
  probation = await f.makeAgency(database.db, { name: 'Probation North' })
  const adminId = await f.makeUser(database.db, { agencyId: probation, roles: ['administrator'] })
  app = await testApp(database.db)
  admin = new Client(app, await f.sessionCookie(database.db, adminId))
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

const idFrom = (location: unknown) => String(location).split('/').pop()!

describe(`administration on ${engine}`, () => {
  it('is only for administrators', async () => {
    const practitioner = await f.makeUser(database.db, { agencyId: probation, roles: ['practitioner'] })
    const client = new Client(app, await f.sessionCookie(database.db, practitioner))
    expect((await client.get('/admin/users')).statusCode).toBe(403)
    expect(
      (await client.post('/admin/agencies/new', { code: 'X', name: 'X', kind: 'police' })).statusCode,
    ).toBe(403)
  })

  it('creates regions, delivery units, agencies, teams and cohorts, and lists them', async () => {
    expect((await admin.post('/admin/regions', { code: 'nw', name: 'North West' })).statusCode).toBe(303)
    const region = await database.db
      .selectFrom('regions')
      .select('id')
      .where('code', '=', 'NW')
      .executeTakeFirstOrThrow()
    expect(
      (await admin.post('/admin/regions/units', { regionId: region.id, code: 'NW-1', name: 'Preston' }))
        .statusCode,
    ).toBe(303)
    expect(
      (
        await admin.post('/admin/agencies/new', {
          code: 'lanc',
          name: 'Lancashire Constabulary',
          kind: 'police',
          regionId: region.id,
        })
      ).statusCode,
    ).toBe(303)
    expect(
      (
        await admin.post('/admin/teams/new', {
          code: 'PR-A',
          name: 'Preston A',
          agencyId: probation,
          regionId: region.id,
        })
      ).statusCode,
    ).toBe(303)
    expect(
      (
        await admin.post('/admin/cohorts/new', {
          code: 'IOM',
          name: 'IOM Fixed',
          description: 'Fixed cohort',
        })
      ).statusCode,
    ).toBe(303)
    expect((await admin.get('/admin/regions')).body).toContain('Preston')
    expect((await admin.get('/admin/agencies')).body).toContain('Lancashire Constabulary')
    expect((await admin.get('/admin/teams')).body).toContain('Preston A')
    expect((await admin.get('/admin/cohorts')).body).toContain('IOM Fixed')
  })

  it('shows every problem on a bad form, keeping what was typed', async () => {
    const response = await admin.post('/admin/agencies/new', {
      code: 'bad code!',
      name: '',
      kind: 'spaceship',
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('govuk-error-summary')
    expect(response.body).toContain('Enter an agency name')
    expect(response.body).toContain('must only use letters, numbers, hyphens and underscores')
    expect(response.body).toContain('Choose what kind of agency this is')
    expect(response.body).toContain('value="bad code!"')
  })

  it('says which field is at fault when a code is already taken', async () => {
    await admin.post('/admin/agencies/new', { code: 'DUP', name: 'First', kind: 'police' })
    const response = await admin.post('/admin/agencies/new', { code: 'dup', name: 'Second', kind: 'police' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('An agency with this code already exists')
    expect(response.body).toContain('href="#code"')
  })

  it('refuses a stale edit with a conflict page that keeps what the user typed', async () => {
    await admin.post('/admin/agencies/new', { code: 'EDIT', name: 'Original name', kind: 'police' })
    const agency = await database.db
      .selectFrom('agencies')
      .select(['id', 'version'])
      .where('code', '=', 'EDIT')
      .executeTakeFirstOrThrow()
    const first = await admin.post(`/admin/agencies/${agency.id}`, {
      code: 'EDIT',
      name: 'First editor',
      kind: 'police',
      version: String(agency.version),
    })
    expect(first.statusCode).toBe(303)
    const second = await admin.post(`/admin/agencies/${agency.id}`, {
      code: 'EDIT',
      name: 'Second editor',
      kind: 'police',
      version: String(agency.version),
    })
    expect(second.statusCode).toBe(409)
    expect(second.body).toContain('Someone else has changed this record')
    expect(second.body).toContain('Second editor')
    const saved = await database.db
      .selectFrom('agencies')
      .select(['name', 'version'])
      .where('id', '=', agency.id)
      .executeTakeFirstOrThrow()
    expect(saved).toEqual({ name: 'First editor', version: agency.version + 1 })
  })

  it('adds a user who can then sign in, edits roles and teams, and deactivating ends their sessions', async () => {
    const teamId = await f.makeTeam(database.db, probation, 'Blackpool B')
    const created = await admin.post('/admin/users/new', {
      displayName: 'Nina Patel',
      email: 'Nina.Patel@test.example',
      agencyId: probation,
      roles: ['practitioner', 'coordinator'],
      contractedHours: '30',
      password: 'a long enough password',
    })
    expect(created.statusCode).toBe(303)
    const userId = idFrom(created.headers.location)
    const nina = new Client(app)
    expect(
      (await nina.post('/sign-in', { email: 'nina.patel@test.example', password: 'a long enough password' }))
        .statusCode,
    ).toBe(303)
    const page = await admin.get(`/admin/users/${userId}`)
    expect(page.body).toContain('Nina Patel')
    expect(page.body).toContain('Blackpool B')
    const form = {
      displayName: 'Nina Patel',
      email: 'nina.patel@test.example',
      agencyId: probation,
      roles: ['practitioner'],
      contractedHours: '30',
      active: 'yes',
    }
    const withTeam = await admin.post(`/admin/users/${userId}`, {
      ...form,
      teamIds: teamId,
      version: /name="version" value="(\d+)"/.exec(page.body)![1]!,
    })
    expect(withTeam.statusCode).toBe(303)
    expect(
      await database.db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute(),
    ).toEqual([{ team_id: teamId }])
    const policeTeam = await f.makeTeam(database.db, await f.makeAgency(database.db, { kind: 'police' }))
    const again = await admin.get(`/admin/users/${userId}`)
    const crossAgency = await admin.post(`/admin/users/${userId}`, {
      ...form,
      teamIds: policeTeam,
      version: /name="version" value="(\d+)"/.exec(again.body)![1]!,
    })
    expect(crossAgency.statusCode).toBe(400)
    expect(crossAgency.body).toContain('Choose teams in the user’s own agency')
    const version = /name="version" value="(\d+)"/.exec(again.body)![1]!
    const edited = await admin.post(`/admin/users/${userId}`, {
      displayName: 'Nina Patel',
      email: 'nina.patel@test.example',
      agencyId: probation,
      roles: 'manager',
      contractedHours: '30',
      active: 'no',
      version,
    })
    expect(edited.statusCode).toBe(303)
    const roles = await database.db
      .selectFrom('user_roles')
      .select('role')
      .where('user_id', '=', userId)
      .execute()
    expect(roles.map((r) => r.role)).toEqual(['manager'])
    expect(
      await database.db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute(),
    ).toEqual([])
    expect((await nina.get('/')).statusCode).toBe(302)
  })

  it('requires a first password of at least 12 characters', async () => {
    const response = await admin.post('/admin/users/new', {
      displayName: 'Short',
      email: 'short@test.example',
      agencyId: probation,
      roles: 'practitioner',
      contractedHours: '37',
      password: 'short',
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Password must be at least 12 characters')
  })

  it('creates an information sharing agreement from GOV.UK date inputs, checking the dates', async () => {
    const police = await f.makeAgency(database.db, { kind: 'police', name: 'Agreement Police' })
    const cohort = await f.makeCohort(database.db, 'Agreement cohort')
    const form = {
      reference: 'isa-1',
      title: 'IOM sharing',
      purpose: 'Coordinate IOM',
      lawfulBasis: 'DPA 2018 Part 3',
      'startsOn-day': '1',
      'startsOn-month': '4',
      'startsOn-year': '2026',
      'endsOn-day': '31',
      'endsOn-month': '3',
      'endsOn-year': '2026',
      status: 'active',
      agencyIds: [probation, police],
      cohortIds: cohort,
      categories: ['identity', 'risk'],
    }
    const bad = await admin.post('/admin/agreements/new', form)
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('The end date must be the same as or after the start date')
    const impossible = await admin.post('/admin/agreements/new', {
      ...form,
      'startsOn-day': '31',
      'startsOn-month': '2',
    })
    expect(impossible.body).toContain('Start date must be a real date')
    const good = await admin.post('/admin/agreements/new', { ...form, 'endsOn-year': '2027' })
    expect(good.statusCode).toBe(303)
    const saved = await database.db
      .selectFrom('sharing_agreements')
      .selectAll()
      .where('reference', '=', 'ISA-1')
      .executeTakeFirstOrThrow()
    expect([saved.starts_on, saved.ends_on]).toEqual(['2026-04-01', '2027-03-31'])
    expect((await admin.get('/admin/agreements')).body).toContain('Agreement Police')
  })

  it('restricts a case to named people and excludes others, changing who can open it at once', async () => {
    const team = await f.makeTeam(database.db, probation)
    const alice = await f.makeUser(database.db, {
      agencyId: probation,
      roles: ['practitioner'],
      teamIds: [team],
      email: 'alice@test.example',
    })
    const bob = await f.makeUser(database.db, {
      agencyId: probation,
      roles: ['practitioner'],
      teamIds: [team],
      email: 'bob@test.example',
    })
    const person = await f.makePerson(database.db, { leadAgencyId: probation, leadTeamId: team })
    const asAlice = new Client(app, await f.sessionCookie(database.db, alice))
    const asBob = new Client(app, await f.sessionCookie(database.db, bob))
    expect((await asBob.get(`/people/${person.crn}`)).statusCode).toBe(200)
    expect(
      (
        await admin.post(`/admin/restrictions/${person.crn}`, {
          email: 'alice@test.example',
          kind: 'allow',
          reason: 'High profile',
        })
      ).statusCode,
    ).toBe(303)
    expect((await asAlice.get(`/people/${person.crn}`)).statusCode).toBe(200)
    expect((await asBob.get(`/people/${person.crn}`)).statusCode).toBe(404)
    expect((await admin.get(`/admin/restrictions?crn=${person.crn}`)).body).toContain('Restricted')
    await admin.post(`/admin/restrictions/${person.crn}/allow/${alice}/remove`, {})
    await admin.post(`/admin/restrictions/${person.crn}`, {
      email: 'bob@test.example',
      kind: 'deny',
      reason: 'Knows the person',
    })
    expect((await asAlice.get(`/people/${person.crn}`)).statusCode).toBe(200)
    expect((await asBob.get(`/people/${person.crn}`)).statusCode).toBe(404)
    const unknown = await admin.post(`/admin/restrictions/${person.crn}`, {
      email: 'nobody@test.example',
      kind: 'deny',
      reason: 'x',
    })
    expect(unknown.body).toContain('There is no Tandem user with this email address')
  })

  it('creates an API client whose token is shown once and works, until revoked', async () => {
    const response = await admin.post('/admin/api-clients', {
      name: 'Police system',
      agencyId: probation,
      scopes: 'people:read',
    })
    expect(response.statusCode).toBe(201)
    const token = /id="token">([^<]+)</.exec(response.body)![1]!
    expect(token).toMatch(/^tdm_/)
    const list = await admin.get('/admin/api-clients')
    expect(list.body).toContain('Police system')
    expect(list.body).not.toContain(token)
    const call = () =>
      app.inject({ url: '/api/v1/people?q=anyone', headers: { authorization: `Bearer ${token}` } })
    expect((await call()).statusCode).toBe(200)
    const noScope = await app.inject({
      url: '/api/v1/people/X000001/timeline',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(noScope.statusCode).toBe(403)
    const client = await database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', 'Police system')
      .executeTakeFirstOrThrow()
    await admin.post(`/admin/api-clients/${client.id}/revoke`, {})
    expect((await call()).statusCode).toBe(401)
  })

  it('records every administrative change in the audit log', async () => {
    const changes = await database.db
      .selectFrom('audit_log')
      .select('purpose')
      .where('purpose', 'like', 'Administration:%')
      .execute()
    const purposes = new Set(changes.map((c) => c.purpose))
    for (const expected of [
      'create region',
      'create agency',
      'update agency',
      'create user',
      'update user',
      'create information sharing agreement',
      'create case restriction',
      'create API client',
    ]) {
      expect(purposes.has(`Administration: ${expected}`), expected).toBe(true)
    }
  })
})
