import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { dashboardEstate, type DashboardEstate } from '../../../test/support/dashboards-estate.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { findActor } from '../../platform/auth/auth.repository.js'
import { fixedClock, systemClock } from '../../platform/clock.js'
import { backgroundJobs } from '../../subscribers.js'
import { dashboardFor, refreshDashboards } from './dashboards.service.js'
import { lastRefresh } from './refresh.repository.js'

let database: TestDatabase
let app: FastifyInstance
let estate: DashboardEstate
let manager: Client
let practitioner: Client

/** A CSV download as rows of fields, the header row first. */
function parseCsv(body: string): string[][] {
  return body
    .trim()
    .split('\r\n')
    .map((line) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"')))
}

/** One measure's CSV for team one, as { row header: fields }. */
async function teamFigures(measure: string, query = '') {
  const area = `team:${estate.teams[0]!.code}`
  const response = await manager.get(`/dashboards/${measure}.csv?area=${area}${query}`)
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200)
  return Object.fromEntries(parseCsv(response.body).map(([header, ...fields]) => [header, fields]))
}

beforeAll(async () => {
  database = await freshDatabase()
  estate = await dashboardEstate(database.db, new Date())
  await refreshDashboards(database.db, systemClock)
  app = await testApp(database.db)
  manager = new Client(app, await f.sessionCookie(database.db, estate.users.manager))
  practitioner = new Client(app, await f.sessionCookie(database.db, estate.users.practitioner))
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

describe(`dashboard measures on ${engine}`, () => {
  it('counts the caseload by tier and risk, leaving out people whose order has ended', async () => {
    const rows = await teamFigures('caseload')
    expect(rows['Tier']).toEqual([
      'RoSH very high',
      'RoSH high',
      'RoSH medium',
      'RoSH low',
      'RoSH not assessed',
      'Total',
    ])
    expect(rows['Tier A2']).toEqual(['0', '6', '0', '0', '0', '6'])
    expect(rows['Tier D0']).toEqual(['0', '0', '0', '1', '0', '1'])
    expect(rows['All tiers']).toEqual(['0', '6', '0', '1', '0', '7'])
  })

  it('counts flags raised, resolved and dismissed, week by week', async () => {
    const rows = await teamFigures('flags', '&period=4w')
    const weeks = Object.entries(rows).filter(([header]) => header.startsWith('Week from'))
    expect(weeks.map(([, fields]) => fields)).toEqual([
      ['0', '0', '0'],
      ['0', '0', '1'],
      ['1', '0', '0'],
      ['2', '1', '0'],
    ])
    expect(rows['Whole period']).toEqual(['3', '1', '1'])
    expect((await teamFigures('flags', '&period=13w'))['Whole period']).toEqual(['4', '1', '1'])
  })

  it('gives the median time to acknowledge flags raised in the period, by severity', async () => {
    const recent = await teamFigures('acknowledgement', '&period=4w')
    expect(recent['Critical']).toEqual(['1', '2', '0'])
    expect(recent['High']).toEqual(['1', '6', '1'])
    expect(recent['All flags']).toEqual(['2', '4', '1'])
    const quarter = await teamFigures('acknowledgement', '&period=13w')
    expect(quarter['High']).toEqual(['2', '8', '1'])
    expect(quarter['All flags']).toEqual(['3', '6', '1'])
  })

  it('counts appointment outcomes in the period, and works out the failed-to-attend rate', async () => {
    const recent = await teamFigures('attendance', '&period=4w')
    expect(recent['Attended and complied']).toEqual(['3'])
    expect(recent['Failed to attend (unacceptable absence)']).toEqual(['1'])
    expect(recent['Outcome not recorded']).toEqual(['1'])
    expect(recent['All appointments']).toEqual(['5'])
    const page = await manager.get(`/dashboards?area=team:${estate.teams[0]!.code}&period=4w`)
    expect(page.body).toContain('Failed-to-attend rate 25.0%')
    expect((await manager.get(`/dashboards?area=team:${estate.teams[0]!.code}&period=13w`)).body).toContain(
      'Failed-to-attend rate 20.0%',
    )
    expect((await manager.get(`/dashboards?area=team:${estate.teams[0]!.code}&period=52w`)).body).toContain(
      'Failed-to-attend rate 33.3%',
    )
  })

  it('finds where people released lived on release and three months later', async () => {
    const recent = await teamFigures('accommodation', '&period=4w')
    expect(recent['When']).toEqual([
      'Settled',
      'Transitional',
      'Homeless',
      'Not known',
      'Releases',
      'Settled (%)',
    ])
    expect(recent['On the day of release']).toEqual(['0', '0', '1', '0', '1', '0'])
    expect(recent['Three months after release']).toEqual(['1', '0', '0', '0', '1', '100'])
    const quarter = await teamFigures('accommodation', '&period=13w')
    expect(quarter['On the day of release']).toEqual(['1', '0', '1', '0', '2', '50'])
  })

  it('gives each cohort its members, who joined and left, and their failed-to-attend rate', async () => {
    const rows = await teamFigures('cohorts', '&period=4w')
    expect(rows['Dashboard cohort']).toEqual(['3', '3', '1', '4', '25'])
    const quarter = await teamFigures('cohorts', '&period=13w')
    expect(quarter['Dashboard cohort']).toEqual(['3', '3', '1', '5', '20'])
  })

  it('counts open and overdue plan actions by owning agency, and keeps agency names out of formulas', async () => {
    const response = await manager.get(`/dashboards/plans.csv?area=team:${estate.teams[0]!.code}`)
    expect(response.body).toContain(`"'=HYPERLINK(""http://x"")","1","1","100"`)
    const rows = Object.fromEntries(parseCsv(response.body).map(([h, ...rest]) => [h, rest]))
    expect(rows['All agencies']).toEqual(['3', '2', '66.7'])
  })

  it('filters by cohort: only its current members count', async () => {
    const rows = await teamFigures('caseload', `&cohort=${estate.cohort.code}`)
    expect(rows['All tiers']).toEqual(['0', '3', '0', '0', '0', '3'])
    const plans = await teamFigures('plans', `&cohort=${estate.cohort.code}`)
    expect(plans['All agencies']).toEqual(['3', '2', '66.7'])
  })

  it('sums teams into delivery units, regions and the nation', async () => {
    const analyst = new Client(app, await f.sessionCookie(database.db, estate.users.analyst))
    const region = await analyst.get(`/dashboards/caseload.csv?area=region:${estate.regions[0]!.code}`)
    expect(region.body).toContain('"All tiers","0","6","*","*","0","10"')
    const nation = await analyst.get('/dashboards/caseload.csv?area=nation')
    expect(nation.body).toContain('"Tier A2","0","16","0","0","0","16"')
    expect(nation.body).toContain('"All tiers","0","16","*","*","0","20"')
    const page = await analyst.get('/dashboards?area=nation')
    expect(page.body).toContain('By region')
    expect(page.body).toContain(`href="/dashboards?area=region%3A${estate.regions[0]!.code}&amp;period=13w"`)
  })

  it("counts a practitioner's own caseload when they open the page", async () => {
    const page = await practitioner.get('/dashboards')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('My caseload')
    expect(page.body).toContain('Counted when you opened this page')
    const csv = await practitioner.get('/dashboards/caseload.csv?area=caseload')
    expect(csv.body).toContain('"All tiers","0","3","0","0","0","3"')
    const actor = (await findActor(database.db, estate.users.practitioner))!
    const dashboard = await dashboardFor(database.db, actor, { period: '4w' }, systemClock)
    expect(dashboard.hide).toBe(false)
    expect(dashboard.measures.find((m) => m.measure === 'attendance')!.summary).toBe(
      'Failed-to-attend rate 25.0%',
    )
  })
})

describe(`refreshing the figures on ${engine}`, () => {
  it('says when the figures were worked out, and warns when they are old', async () => {
    const page = await manager.get('/dashboards')
    expect(page.body).toMatch(/Figures as at \d{1,2}(:\d\d)?(am|pm)|Figures as at (midday|midnight)/)
    const actor = (await findActor(database.db, estate.users.manager))!
    const later = fixedClock(new Date(Date.now() + 10 * 60_000))
    expect((await dashboardFor(database.db, actor, {}, later)).stale).toBe(true)
    expect((await dashboardFor(database.db, actor, {}, systemClock)).stale).toBe(false)
  })

  it('skips a refresh when the figures are young enough, and replaces them whole when not', async () => {
    const before = (await lastRefresh(database.db))!
    expect(await refreshDashboards(database.db, systemClock, 60_000)).toBeNull()
    const again = await refreshDashboards(database.db, systemClock)
    expect(again!.figures).toBe(before.figures)
  })

  it('is one of the background jobs, so the first worker pass counts the figures', async () => {
    await sql`delete from dashboard_refreshes`.execute(database.db)
    const at = fixedClock(new Date(Date.now() + 120_000))
    for (const job of backgroundJobs(at)) await job(database.db)
    expect((await lastRefresh(database.db))!.refreshed_at.getTime()).toBe(at.now().getTime())
  })
})
