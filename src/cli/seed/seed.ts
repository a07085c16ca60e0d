import { fakerEN_GB as faker } from '@faker-js/faker'
import cliProgress from 'cli-progress'
import { sql } from 'kysely'
import { recordAudit } from '../../platform/audit/audit.js'
import { hashPassword } from '../../platform/auth/passwords.js'
import type { Database } from '../../platform/database/database.js'
import { copyText } from './copy-text.js'
import { DEMO_PASSWORD, seedEstate, type Estate } from './estate.js'
import { seedProcessTemplates } from './process-templates.js'
import { emptyRows, generatePerson, TABLES, type Rows, type TableName } from './people.js'
import { Random } from './random.js'

export interface SeedOptions {
  people: number
  /** Regions to spread them over; by default one per 20,000 people, up to all twelve. */
  regions?: number
  seed?: number
  today?: Date
  progress?: boolean
}

export interface SeedSummary {
  people: number
  timelineEvents: number
  staff: number
  seconds: number
}

/** People are written in chunks, each table by COPY, so memory stays flat at any size. */
const CHUNK = 1000

/**
 * Seeds a realistic estate: regions, agencies, teams and staff in proportion, then people
 * with their whole history. Deterministic for a given seed and day.
 */
export async function seed(database: Database, options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now()
  const seedValue = options.seed ?? 20_261_123
  const today = options.today ?? new Date()
  faker.seed(seedValue)
  const random = new Random(seedValue)
  const regionCount = options.regions ?? Math.min(12, Math.max(1, Math.ceil(options.people / 20_000)))
  const estate = await seedEstate(
    database.db,
    random,
    options.people,
    regionCount,
    await hashPassword(DEMO_PASSWORD),
    today,
  )
  await seedProcessTemplates(database.db, estate.cohorts, today)

  const bar = options.progress
    ? new cliProgress.SingleBar(
        {
          format:
            'Seeding people {bar} {percentage}% | {value}/{total} | {events} timeline events | ETA {eta_formatted}',
        },
        cliProgress.Presets.shades_classic,
      )
    : null
  bar?.start(options.people, 0, { events: 0 })
  let rows = emptyRows()
  let pending = 0
  let sequence = 0
  let events = 0
  const flush = async () => {
    events += rows.timeline_events.length
    await writeRows(database, rows)
    bar?.update(sequence, { events })
    rows = emptyRows()
    pending = 0
  }
  for (const assignment of caseloads(estate)) {
    const id = `${sequence.toString(16).padStart(8, '0')}-${random.uuid().slice(9)}`
    generatePerson(random, estate, { ...assignment, id }, sequence, today, rows)
    sequence += 1
    pending += 1
    if (pending === CHUNK) await flush()
  }
  if (pending > 0) await flush()
  bar?.stop()
  // Synthetic people are still personal-data-shaped records: their creation is on the record.
  await recordAudit(database.db, {
    actor: null,
    actorLabel: 'tandem seed',
    action: 'create',
    personIds: [],
    categories: [],
    origin: { route: 'cli tandem seed', requestId: null },
    purpose: `Generated a synthetic estate of ${sequence} people (seed ${seedValue})`,
    detail: { people: sequence, timelineEvents: events, regions: regionCount },
  })
  // Vacuum as well as analyse: rows written by COPY carry no hint bits or visibility map, so
  // until a vacuum every first read writes the page back and index-only scans visit the heap
  // (and autovacuum may be off, as on the CI machine).
  await sql`vacuum (analyze)`.execute(database.db)
  const staff = await database.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return {
    people: sequence,
    timelineEvents: events,
    staff: Number(staff.n),
    seconds: (Date.now() - started) / 1000,
  }
}

/** Each region's people shared out across its practitioners, about 36 each. */
function* caseloads(estate: Estate) {
  for (const region of estate.regions) {
    const practitioners = region.pdus.flatMap((pdu, p) =>
      pdu.teams.flatMap((team) =>
        team.practitioners.map((practitionerId) => ({
          region,
          team,
          practitionerId,
          pduPlace: region.seed.places[p]!,
        })),
      ),
    )
    for (let n = 0; n < region.people; n++) yield practitioners[n % practitioners.length]!
  }
}

/** Tables in the order their foreign keys need. */
const ORDER: TableName[] = [
  'people',
  'person_identifiers',
  'person_aliases',
  'person_addresses',
  'person_needs',
  'cohort_memberships',
  'allocations',
  'case_restrictions',
  'sentences',
  'custody_episodes',
  'licence_conditions',
  'registrations',
  'appointments',
  'contacts',
  'timeline_events',
  'allocation_requests',
  'case_plans',
  'plan_objectives',
  'plan_actions',
  'referrals',
  'referral_updates',
  'tasks',
]

async function writeRows(database: Database, rows: Rows) {
  for (const table of ORDER) {
    if (rows[table].length > 0) await database.copyIn(table, [...TABLES[table]], copyText(rows[table]))
  }
}

/** Whether the database has no people yet (first start). */
export async function isEmpty(database: Database): Promise<boolean> {
  const row = await database.db.selectFrom('users').select('id').limit(1).executeTakeFirst()
  return !row
}
