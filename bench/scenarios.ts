import { sql } from 'kysely'
import { DEMO_PASSWORD } from '../src/cli/seed/estate.js'
import { newToken } from '../src/platform/auth/tokens.js'
import { refreshDashboards } from '../src/modules/dashboards/dashboards.service.js'
import { systemClock } from '../src/platform/clock.js'
import type { Db } from '../src/platform/database/database.js'
import { signIn } from './server.js'

export interface Scenario {
  name: string
  description: string
  concurrency: number
  paths: string[]
  headers: Record<string, string>
}

/**
 * The scenarios that exist today, each as the people who use it would: a practitioner
 * opening their caseload, day, people and timelines; searching by name and identifier; an analyst's
 * national figures; a partner system reading people through the API.
 */
export async function buildScenarios(db: Db, serverUrl: string, concurrency: number): Promise<Scenario[]> {
  const practitioner = await signIn(serverUrl, 'practitioner@tandem.example', DEMO_PASSWORD)
  const analyst = await signIn(serverUrl, 'analyst@tandem.example', DEMO_PASSWORD)
  const manager = await signIn(serverUrl, 'manager@tandem.example', DEMO_PASSWORD)
  const caseload = await db
    .selectFrom('allocations as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .innerJoin('people as p', 'p.id', 'a.person_id')
    .select(['p.crn', 'p.last_name', 'p.first_name'])
    .where('u.email', '=', 'practitioner@tandem.example')
    .where('a.is_lead', '=', true)
    .orderBy('p.crn')
    .execute()
  const shared = await sql<{ crn: string; agency_id: string }>`
    select p.crn, a.agency_id from people p
    join cohort_memberships m on m.person_id = p.id and m.ended_on is null
    join cohorts c on c.id = m.cohort_id and c.code like 'IOM%'
    join allocations a on a.person_id = p.id and a.role = 'police_iom_officer'
    where not exists (select 1 from case_restrictions r where r.person_id = p.id)
    order by p.crn limit 40`.execute(db)
  const police = shared.rows[0]!.agency_id
  const { token, hash } = newToken('tdm_')
  const account = await db
    .insertInto('users')
    .values({
      agency_id: police,
      kind: 'service',
      email: `bench-${hash.slice(0, 12)}@service.tandem.invalid`,
      display_name: 'Benchmark API client',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db
    .insertInto('api_tokens')
    .values({
      user_id: account.id,
      name: 'benchmark',
      token_hash: hash,
      scopes: ['people:read'],
      created_by: null,
    })
    .execute()

  await dashboardFiguresReady(db)

  const cookie = (c: string) => ({ cookie: c })
  return [
    {
      name: 'search',
      description: 'Search by surname (typo-tolerant), practitioner',
      concurrency,
      paths: caseload.map((p) => `/search?q=${encodeURIComponent(p.last_name)}`),
      headers: cookie(practitioner),
    },
    {
      name: 'search-identifier',
      description: 'Search by CRN, practitioner',
      concurrency,
      paths: caseload.map((p) => `/search?q=${p.crn}`),
      headers: cookie(practitioner),
    },
    // One client at a time: the server's own time per search, without queueing for the CPU.
    {
      name: 'search-1-client',
      description: 'Search by surname, one request at a time (server time without queueing)',
      concurrency: 1,
      paths: caseload.map((p) => `/search?q=${encodeURIComponent(p.last_name)}`),
      headers: cookie(practitioner),
    },
    {
      name: 'search-identifier-1-client',
      description: 'Search by CRN, one request at a time',
      concurrency: 1,
      paths: caseload.map((p) => `/search?q=${p.crn}`),
      headers: cookie(practitioner),
    },
    {
      name: 'single-view',
      description: "A person's page with the first page of their timeline",
      concurrency,
      paths: caseload.map((p) => `/people/${p.crn}`),
      headers: cookie(practitioner),
    },
    {
      name: 'timeline',
      description: "A person's timeline page: the newest 25 items by day, with its filters",
      concurrency,
      paths: caseload.map((p) => `/people/${p.crn}/timeline`),
      headers: cookie(practitioner),
    },
    // The demo practitioner carries a full caseload (about 60) in the demo manager's large team.
    {
      name: 'caseload',
      description: `My caseload (${caseload.length} lead cases): risk, tier, stage, next appointment, flags, overdue work`,
      concurrency,
      paths: [
        '/caseload',
        '/caseload?sort=next',
        '/caseload?sort=risk&order=descending',
        '/caseload?overdue=yes',
      ],
      headers: cookie(practitioner),
    },
    {
      name: 'allocation-queue',
      description: "Allocation queue with every practitioner's workload, manager of a large team",
      concurrency,
      paths: ['/allocations'],
      headers: cookie(manager),
    },
    {
      name: 'my-day',
      description: "The practitioner's start page: today's appointments",
      concurrency,
      paths: ['/'],
      headers: cookie(practitioner),
    },
    {
      name: 'dashboard-national',
      description: 'People by region and risk, national, analyst',
      concurrency: Math.min(concurrency, 8),
      paths: ['/insight'],
      headers: cookie(analyst),
    },
    {
      name: 'dashboards-nation',
      description:
        'National dashboard, every measure with charts and tables, from the stored figures, analyst',
      concurrency: Math.min(concurrency, 8),
      paths: [
        '/dashboards?area=nation',
        '/dashboards?area=nation&period=4w',
        '/dashboards?area=nation&period=52w&cohort=IOM-FIXED',
      ],
      headers: cookie(analyst),
    },
    {
      name: 'api-person',
      description: 'Partner API: one person, categories shared with the police',
      concurrency,
      paths: shared.rows.map((r) => `/api/v1/people/${r.crn}`),
      headers: { authorization: `Bearer ${token}` },
    },
  ]
}

/** The server's worker counts the dashboard figures on its first pass; wait for it (or count them). */
async function dashboardFiguresReady(db: Db) {
  for (let waited = 0; waited < 120_000; waited += 500) {
    const { rows } = await sql`select 1 from dashboard_refreshes`.execute(db)
    if (rows.length) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  await refreshDashboards(db, systemClock)
}
