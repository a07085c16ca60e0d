import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { dashboardEstate, type DashboardEstate } from '../../../test/support/dashboards-estate.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { systemClock } from '../../platform/clock.js'
import { refreshDashboards } from './dashboards.service.js'

let database: TestDatabase
let app: FastifyInstance
let estate: DashboardEstate
const clients: Record<string, Client> = {}

beforeAll(async () => {
  database = await freshDatabase()
  estate = await dashboardEstate(database.db, new Date())
  await refreshDashboards(database.db, systemClock)
  app = await testApp(database.db)
  for (const [role, userId] of Object.entries(estate.users))
    clients[role] = new Client(app, await f.sessionCookie(database.db, userId))
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

/** Nothing a user sees may carry internals: stack frames, file paths or SQL (the page has <select>s). */
function expectNoInternals(body: string) {
  expect(body).not.toMatch(/at .+\.(ts|js):\d+|node_modules|\/src\/|syntax error|select [^<>]* from |stack/i)
}

describe(`who may see which dashboard, on ${engine}`, () => {
  const areas = () => ({
    caseload: 'caseload',
    nation: 'nation',
    region1: `region:${estate.regions[0]!.code}`,
    region2: `region:${estate.regions[1]!.code}`,
    pdu1: `pdu:${estate.pdus[0]!.code}`,
    pdu2: `pdu:${estate.pdus[1]!.code}`,
    team1: `team:${estate.teams[0]!.code}`,
    team2: `team:${estate.teams[1]!.code}`,
    team3: `team:${estate.teams[2]!.code}`,
    team4: `team:${estate.teams[3]!.code}`,
  })
  const EXPECTED: Record<string, { allowed: string[]; opens: string }> = {
    practitioner: { allowed: ['caseload'], opens: 'My caseload' },
    manager: { allowed: ['caseload', 'pdu1', 'team1', 'team2'], opens: 'Team' },
    coordinator: { allowed: ['region1', 'pdu1', 'pdu2', 'team1', 'team2', 'team3'], opens: 'Region' },
    analyst: {
      allowed: ['nation', 'region1', 'region2', 'pdu1', 'pdu2', 'team1', 'team2', 'team3', 'team4'],
      opens: 'National',
    },
    regionalAnalyst: { allowed: ['region2', 'team4'], opens: 'Region' },
  }

  it.each(Object.keys(EXPECTED))('%s sees only the areas they are entitled to', async (who) => {
    const { allowed, opens } = EXPECTED[who]!
    const first = await clients[who]!.get('/dashboards')
    expect(first.statusCode).toBe(200)
    expect(/<h1 class="govuk-heading-l">([^<]+)<\/h1>/.exec(first.body)![1]).toContain(opens)
    for (const [name, area] of Object.entries(areas())) {
      const response = await clients[who]!.get(`/dashboards?area=${encodeURIComponent(area)}`)
      const csv = await clients[who]!.get(`/dashboards/caseload.csv?area=${encodeURIComponent(area)}`)
      if (allowed.includes(name)) {
        expect(response.statusCode, `${who} → ${name}`).toBe(200)
        expect(csv.headers['content-type'], `${who} → ${name}`).toContain('text/csv')
      } else {
        expect(response.statusCode, `${who} → ${name}`).toBe(403)
        expect(response.body).toContain('You do not have permission')
        expect(csv.statusCode, `${who} → ${name} (CSV)`).toBe(403)
        expect(csv.headers['content-type']).toContain('text/html')
      }
    }
  })

  it('refuses roles without dashboards', async () => {
    for (const who of ['partner', 'administrator']) {
      expect((await clients[who]!.get('/dashboards')).statusCode).toBe(403)
      expect((await clients[who]!.get('/dashboards/caseload.csv?area=nation')).statusCode).toBe(403)
    }
    const anonymous = await app.inject({ url: '/dashboards/caseload.csv' })
    expect(anonymous.statusCode).toBe(302)
  })

  it('lists only the areas a user may choose', async () => {
    const page = await clients.manager!.get('/dashboards')
    expect(page.body).toContain(`value="${areas().pdu1}"`)
    expect(page.body).toContain(`value="${areas().team1}"`)
    expect(page.body).not.toContain(`value="${areas().pdu2}"`)
    expect(page.body).not.toContain('value="nation"')
  })
})

describe(`small numbers on ${engine}`, () => {
  it('hides counts under five from analysts, in the page and in the CSV, saying why', async () => {
    const area = `team:${estate.teams[0]!.code}`
    const page = await clients.analyst!.get(`/dashboards?area=${area}`)
    expect(page.body).toContain('fewer than 5')
    expect(page.body).toContain('hidden so that nobody can be identified')
    const csv = await clients.analyst!.get(`/dashboards/caseload.csv?area=${area}`)
    // One person at low risk is hidden, and so is every count that would give them away.
    expect(csv.body).toContain('"Tier D0","0","0","0","*","0","*"')
    expect(csv.body).toContain('"Tier A2","0","*","0","0","0","*"')
    expect(csv.body).toContain('"All tiers","0","*","0","*","0","7"')
    expect(csv.body).toContain('"* fewer than 5: small numbers are hidden so that nobody can be identified"')
    const attendance = await clients.analyst!.get(`/dashboards/attendance.csv?area=${area}&period=4w`)
    expect(attendance.body).not.toMatch(/"[1-4]"/)
  })

  it("shows a manager their own team's small counts, but hides them in the wider delivery unit", async () => {
    const own = await clients.manager!.get(`/dashboards/caseload.csv?area=team:${estate.teams[0]!.code}`)
    expect(own.body).toContain('"Tier D0","0","0","0","1","0","1"')
    const other = await clients.manager!.get(`/dashboards/caseload.csv?area=team:${estate.teams[1]!.code}`)
    expect(other.body).toContain('"Tier C1","0","0","*","0","0","*"')
    const pdu = await clients.manager!.get(`/dashboards/caseload.csv?area=pdu:${estate.pdus[0]!.code}`)
    expect(pdu.body).toContain('"Tier A2","0","6","0","0","0","6"')
    expect(pdu.body).toContain('"Tier C1","0","0","*","0","0","*"')
  })
})

describe(`downloads and filters on ${engine}`, () => {
  it('sends each measure as a CSV file named for what it holds, and records the download', async () => {
    const response = await clients.manager!.get(
      `/dashboards/flags.csv?area=team:${estate.teams[0]!.code}&period=52w`,
    )
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="tandem-flags-team-${estate.teams[0]!.code.toLowerCase()}-52w.csv"`,
    )
    expect(response.body.split('\r\n')[0]).toBe('"From","Raised","Resolved","Dismissed"')
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['person_ids', 'detail', 'route'])
      .where('actor_user_id', '=', estate.users.manager)
      .where('action', '=', 'export')
      .execute()
    expect(audit.every((a) => a.person_ids.length === 0 && a.route === 'GET /dashboards/:measure.csv')).toBe(
      true,
    )
    expect(audit.some((a) => JSON.stringify(a.detail).includes('"measure":"flags"'))).toBe(true)
  })

  it('links each measure to its download with the filters in force', async () => {
    const page = await clients.analyst!.get(`/dashboards?area=nation&cohort=${estate.cohort.code}&period=4w`)
    expect(page.body).toContain(
      `/dashboards/attendance.csv?area=nation&amp;period=4w&amp;cohort=${estate.cohort.code}`,
    )
    expect(page.body).toContain('Only people who are members of Dashboard cohort now')
  })

  it.each([
    ['period=forever', 'period', 'Choose a period from the list'],
    ['cohort=NO-SUCH-COHORT', 'cohort', 'Choose a cohort from the list'],
    ['cohort=%3Cscript%3E', 'cohort', 'Choose a cohort from the list'],
    ['area=team:NOPE', 'area', 'Choose an area from the list'],
    ["area=region:'%20or%201=1", 'area', 'Choose an area from the list'],
    ['area=planet:earth', 'area', 'Choose an area from the list'],
  ])(
    'answers %s with the GOV.UK error summary and the figures it can show',
    async (query, field, message) => {
      const response = await clients.analyst!.get(`/dashboards?${query}`)
      expect(response.statusCode).toBe(400)
      expect(response.body).toContain('There is a problem')
      expect(response.body).toContain(`href="#${field}">${message}`)
      expect(response.body).toContain('Caseload by risk and tier')
      expectNoInternals(response.body)
      const csv = await clients.analyst!.get(`/dashboards/caseload.csv?${query}`)
      expect(csv.statusCode).toBe(400)
      expect(csv.headers['content-type']).toContain('text/html')
    },
  )

  it('keeps the good filters when one is bad, and answers an unknown measure with 404', async () => {
    const response = await clients.analyst!.get(
      `/dashboards?period=4w&cohort=NOPE&area=region:${estate.regions[1]!.code}`,
    )
    expect(response.statusCode).toBe(400)
    expect(response.body).toMatch(/<option value="4w" selected>/)
    expect(response.body).toMatch(new RegExp(`<option value="region:${estate.regions[1]!.code}" selected>`))
    expect((await clients.analyst!.get('/dashboards/people.csv')).statusCode).toBe(404)
  })
})
