import { fakerEN_GB as faker } from '@faker-js/faker'
import type { Role } from '../../platform/access/actor.js'
import type { Db } from '../../platform/database/database.js'
import { addDays, isoDay, type Random } from './random.js'
import { COHORTS, REGIONS, type CohortCode, type RegionSeed } from './regions.js'
import { defaultCriteriaJson, defaultResponsibilityRows } from '../../modules/cohorts/default-criteria.js'

/** Everyone seeded can sign in with this password; it is printed at start-up, never used in production. */
export const DEMO_PASSWORD = 'tandem-demo-password'

/** The accounts a newcomer signs in with, one per role, printed when Tandem starts. */
export const DEMO_ACCOUNTS: { email: string; name: string; roles: Role[]; description: string }[] = [
  {
    email: 'practitioner@tandem.example',
    name: 'Priya Shah',
    roles: ['practitioner'],
    description: 'Probation practitioner with a caseload',
  },
  {
    email: 'manager@tandem.example',
    name: 'Mark Evans',
    roles: ['manager'],
    description: 'Senior probation officer managing her team',
  },
  {
    email: 'police@tandem.example',
    name: 'Dan Hughes',
    roles: ['partner_worker'],
    description: 'Police IOM officer',
  },
  {
    email: 'health@tandem.example',
    name: 'Aisha Khan',
    roles: ['partner_worker'],
    description: 'Drug and alcohol worker',
  },
  {
    email: 'housing@tandem.example',
    name: 'Tom Riley',
    roles: ['partner_worker'],
    description: 'Local authority housing officer',
  },
  {
    email: 'provider@tandem.example',
    name: 'Grace Lee',
    roles: ['provider'],
    description: 'Accommodation provider',
  },
  {
    email: 'coordinator@tandem.example',
    name: 'Helen Ward',
    roles: ['coordinator'],
    description: 'IOM coordinator (police)',
  },
  {
    email: 'analyst@tandem.example',
    name: 'Owen Price',
    roles: ['analyst'],
    description: 'Performance analyst',
  },
  {
    email: 'admin@tandem.example',
    name: 'Ruth Clarke',
    roles: ['administrator'],
    description: 'Administrator',
  },
  {
    email: 'dpo@tandem.example',
    name: 'Femi Adeyemi',
    roles: ['data_protection_officer'],
    description: 'Data protection officer',
  },
]

export const PEOPLE_PER_PRACTITIONER = 36
const PRACTITIONERS_PER_TEAM = 8
/**
 * The demo manager's team is a large one where the estate has the staff for it, so that the
 * allocation queue is measured as a manager of a big team sees it; its first practitioner (the
 * demo practitioner) then carries a full caseload of about this many people.
 */
const LARGE_TEAM = 40
const FULL_CASELOAD = 60

export interface SeededTeam {
  id: string
  pduId: string
  practitioners: string[]
  managerId: string
  /** A practitioner who takes extra cases from their colleagues, and the chance of each. */
  heavyCaseload: { userId: string; share: number } | null
}

/** Team sizes for a delivery unit: teams of about eight, or a large first team when asked and possible. */
function teamSizes(practitioners: number, large: boolean): number[] {
  if (large && practitioners >= LARGE_TEAM + PRACTITIONERS_PER_TEAM) {
    const rest = practitioners - LARGE_TEAM
    return [LARGE_TEAM, ...apportion(rest, Array(Math.ceil(rest / PRACTITIONERS_PER_TEAM)).fill(1))]
  }
  return apportion(practitioners, Array(Math.ceil(practitioners / PRACTITIONERS_PER_TEAM)).fill(1))
}

export interface SeededRegion {
  seed: RegionSeed
  id: string
  people: number
  probationId: string
  policeId: string
  healthId: string
  housingId: string
  providerId: string
  prisonId: string
  courtId: string
  pdus: { id: string; teams: SeededTeam[] }[]
  policeOfficers: string[]
  healthWorkers: string[]
  housingOfficers: string[]
}

export interface Estate {
  regions: SeededRegion[]
  cohorts: Record<CohortCode, string>
  hqAgencyId: string
}

/** Splits `total` into parts proportional to `weights`, summing exactly to total. */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const parts = weights.map((w) => Math.floor((total * w) / sum))
  for (let i = 0; parts.reduce((a, b) => a + b, 0) < total; i = (i + 1) % parts.length) parts[i]! += 1
  return parts
}

class Staff {
  rows: {
    id: string
    agency_id: string
    email: string
    display_name: string
    job_title: string
    password_hash: string
  }[] = []
  roles: { user_id: string; role: string }[] = []
  members: { team_id: string; user_id: string }[] = []
  #demo = new Map(DEMO_ACCOUNTS.map((a) => [a.roles[0] === 'partner_worker' ? a.email : a.roles[0], a]))
  #taken = new Set<string>()

  constructor(
    private readonly random: Random,
    private readonly passwordHash: string,
  ) {}

  /** Adds a member of staff; the first of a kind in the first region takes the demo account. */
  add(agencyId: string, role: Role, jobTitle: string, demoKey: string | null, teamId?: string): string {
    const id = this.random.uuid()
    const demo = demoKey ? this.#demo.get(demoKey) : undefined
    if (demo) this.#demo.delete(demoKey!)
    const first = faker.person.firstName()
    const last = faker.person.lastName()
    let email = demo?.email ?? `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + '@tandem.example'
    for (let n = 2; this.#taken.has(email); n++) email = email.replace(/(\d*)@/, `${n}@`)
    this.#taken.add(email)
    this.rows.push({
      id,
      agency_id: agencyId,
      email,
      display_name: demo?.name ?? `${first} ${last}`,
      job_title: jobTitle,
      password_hash: this.passwordHash,
    })
    this.roles.push({ user_id: id, role })
    if (teamId) this.members.push({ team_id: teamId, user_id: id })
    return id
  }
}

async function insertMany<T extends Record<string, unknown>>(db: Db, table: string, rows: T[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto(table as never)
      .values(rows.slice(i, i + 500) as never)
      .execute()
  }
}

/**
 * Creates the organisations and staff for `people` people across `regionCount` regions: one
 * practitioner per 36 people in teams of eight with a manager, and the partner agencies,
 * cohorts and information sharing agreements each region runs.
 */
export async function seedEstate(
  db: Db,
  random: Random,
  people: number,
  regionCount: number,
  passwordHash: string,
  today: Date,
): Promise<Estate> {
  const chosen = REGIONS.slice(0, regionCount)
  const staff = new Staff(random, passwordHash)
  const agencies: { id: string; code: string; name: string; kind: string; region_id: string | null }[] = []
  const agency = (code: string, name: string, kind: string, regionId: string | null) => {
    const id = random.uuid()
    agencies.push({ id, code, name, kind, region_id: regionId })
    return id
  }
  const hqAgencyId = agency('HMPPS-HQ', 'HMPPS Headquarters', 'probation', null)
  const regionRows: { id: string; code: string; name: string }[] = []
  const pduRows: { id: string; region_id: string; code: string; name: string }[] = []
  const teamRows: {
    id: string
    agency_id: string
    region_id: string
    pdu_id: string | null
    code: string
    name: string
  }[] = []
  const peoplePerRegion = apportion(
    people,
    chosen.map((r) => r.weight),
  )

  const regions: SeededRegion[] = chosen.map((seed, index) => {
    const regionId = random.uuid()
    regionRows.push({ id: regionId, code: seed.code, name: seed.name })
    const regionPeople = peoplePerRegion[index] ?? 0
    const region: SeededRegion = {
      seed,
      id: regionId,
      people: regionPeople,
      probationId: agency(`PS-${seed.code}`, `Probation Service – ${seed.name}`, 'probation', regionId),
      policeId: agency(`POL-${seed.code}`, seed.police, 'police', regionId),
      healthId: agency(`HLT-${seed.code}`, `${seed.name} Drug and Alcohol Service`, 'health', regionId),
      housingId: agency(
        `LAH-${seed.code}`,
        `${seed.places[0]} Council Housing Options`,
        'local_authority_housing',
        regionId,
      ),
      providerId: agency(
        `CAS-${seed.code}`,
        `${seed.name} Community Accommodation`,
        'accommodation_provider',
        regionId,
      ),
      prisonId: agency(`PRI-${seed.prison.code}`, seed.prison.name, 'prison', regionId),
      courtId: agency(`CRT-${seed.code}`, `${seed.places[0]} Magistrates’ Court`, 'court', regionId),
      pdus: [],
      policeOfficers: [],
      healthWorkers: [],
      housingOfficers: [],
    }
    agency(`YJS-${seed.code}`, `${seed.places[0]} Youth Justice Service`, 'youth_offending', regionId)
    agency(`DWP-${seed.code}`, `Jobcentre Plus – ${seed.name}`, 'dwp', regionId)
    agency(`VCS-${seed.code}`, `${seed.name} Mentoring Trust`, 'third_sector', regionId)

    const pduCount = Math.max(1, Math.min(seed.places.length, Math.ceil(regionPeople / 3000)))
    const peoplePerPdu = apportion(regionPeople, Array(pduCount).fill(1))
    region.pdus = seed.places.slice(0, pduCount).map((place, p) => {
      const pduId = random.uuid()
      pduRows.push({ id: pduId, region_id: regionId, code: `${seed.code}-${p + 1}`, name: place })
      const practitioners = Math.max(1, Math.ceil((peoplePerPdu[p] ?? 0) / PEOPLE_PER_PRACTITIONER))
      const perTeam = teamSizes(practitioners, index === 0 && p === 0)
      const teams = perTeam.map((size, t): SeededTeam => {
        const teamId = random.uuid()
        teamRows.push({
          id: teamId,
          agency_id: region.probationId,
          region_id: regionId,
          pdu_id: pduId,
          code: `${seed.code}-${p + 1}-${t + 1}`,
          name: `${place} ${String.fromCharCode(65 + (t % 26))}${t >= 26 ? Math.floor(t / 26) : ''}`,
        })
        const managerId = staff.add(
          region.probationId,
          'manager',
          'Senior probation officer',
          'manager',
          teamId,
        )
        const members = Array.from({ length: size }, () =>
          staff.add(
            region.probationId,
            'practitioner',
            random.chance(0.6) ? 'Probation officer' : 'Probation services officer',
            'practitioner',
            teamId,
          ),
        )
        const heavyCaseload =
          size >= LARGE_TEAM
            ? {
                userId: members[0]!,
                share: (FULL_CASELOAD - PEOPLE_PER_PRACTITIONER) / ((size - 1) * PEOPLE_PER_PRACTITIONER),
              }
            : null
        return { id: teamId, pduId, practitioners: members, managerId, heavyCaseload }
      })
      return { id: pduId, teams }
    })

    const iomTeam = random.uuid()
    teamRows.push({
      id: iomTeam,
      agency_id: region.policeId,
      region_id: regionId,
      pdu_id: null,
      code: `${seed.code}-IOM`,
      name: `${seed.name} IOM Unit`,
    })
    const partnerCount = Math.max(1, Math.ceil(regionPeople / 1500))
    region.policeOfficers = Array.from({ length: partnerCount }, () =>
      staff.add(region.policeId, 'partner_worker', 'IOM police officer', 'police@tandem.example', iomTeam),
    )
    staff.add(region.policeId, 'coordinator', 'IOM coordinator', 'coordinator', iomTeam)
    region.healthWorkers = Array.from({ length: partnerCount }, () =>
      staff.add(region.healthId, 'partner_worker', 'Drug and alcohol worker', 'health@tandem.example'),
    )
    region.housingOfficers = Array.from({ length: partnerCount }, () =>
      staff.add(region.housingId, 'partner_worker', 'Housing options officer', 'housing@tandem.example'),
    )
    staff.add(region.providerId, 'provider', 'Accommodation manager', 'provider')
    return region
  })
  staff.add(hqAgencyId, 'analyst', 'Performance analyst', 'analyst')
  staff.add(hqAgencyId, 'administrator', 'Service administrator', 'administrator')
  staff.add(hqAgencyId, 'data_protection_officer', 'Data protection officer', 'data_protection_officer')

  const cohortRows = COHORTS.map((c) => ({
    id: random.uuid(),
    code: c.code,
    name: c.name,
    description: c.description,
    criteria: defaultCriteriaJson(c.code),
  }))
  const cohorts = Object.fromEntries(cohortRows.map((c) => [c.code, c.id])) as Record<CohortCode, string>

  await insertMany(db, 'regions', regionRows)
  await insertMany(db, 'probation_delivery_units', pduRows)
  await insertMany(db, 'agencies', agencies)
  await insertMany(db, 'teams', teamRows)
  await insertMany(db, 'users', staff.rows)
  await insertMany(db, 'user_roles', staff.roles)
  await insertMany(db, 'team_members', staff.members)
  await insertMany(db, 'cohorts', cohortRows)
  await insertMany(db, 'responsibilities', defaultResponsibilityRows(cohorts))
  await seedAgreements(db, random, regions, cohorts, today)
  return { regions, cohorts, hqAgencyId }
}

/** Each region's agreements: IOM with the police, treatment with health, housing, and one that has ended. */
async function seedAgreements(
  db: Db,
  random: Random,
  regions: SeededRegion[],
  cohorts: Record<CohortCode, string>,
  today: Date,
) {
  const started = isoDay(addDays(today, -400))
  const agreements: Record<string, unknown>[] = []
  const parties: { agreement_id: string; agency_id: string }[] = []
  const covered: { agreement_id: string; cohort_id: string }[] = []
  const shared: { agreement_id: string; category: string }[] = []
  const add = (
    region: SeededRegion,
    code: string,
    title: string,
    agencyIds: string[],
    cohortCodes: CohortCode[],
    categories: string[],
    endsOn: string | null = null,
  ) => {
    const id = random.uuid()
    agreements.push({
      id,
      reference: `ISA-${region.seed.code}-${code}`,
      title: `${region.seed.name}: ${title}`,
      purpose: `To let ${title.toLowerCase()} partners in ${region.seed.name} coordinate their work with people on probation.`,
      lawful_basis:
        'Data Protection Act 2018 Part 3 (law enforcement processing); Crime and Disorder Act 1998 section 115',
      starts_on: started,
      ends_on: endsOn,
    })
    parties.push(...agencyIds.map((agency_id) => ({ agreement_id: id, agency_id })))
    covered.push(...cohortCodes.map((c) => ({ agreement_id: id, cohort_id: cohorts[c] })))
    shared.push(...categories.map((category) => ({ agreement_id: id, category })))
  }
  const allCohorts = Object.keys(cohorts) as CohortCode[]
  for (const r of regions) {
    add(
      r,
      'IOM',
      'Integrated Offender Management',
      [r.probationId, r.policeId],
      ['IOM-FIXED', 'IOM-FLEX', 'IOM-FREE', 'PPO'],
      ['identity', 'sentence', 'risk', 'supervision', 'accommodation', 'police_intelligence'],
    )
    add(
      r,
      'DA',
      'Domestic abuse perpetrators',
      [r.probationId, r.policeId],
      ['DA-PERPETRATOR'],
      ['identity', 'risk', 'victim', 'family', 'police_intelligence'],
    )
    add(r, 'TREAT', 'Drug and alcohol treatment', [r.probationId, r.healthId], allCohorts, [
      'identity',
      'substance_misuse',
      'health',
    ])
    add(
      r,
      'HOUSE',
      'Accommodation on release',
      [r.probationId, r.housingId, r.providerId],
      ['SHORT-SENTENCE', 'IOM-FIXED', 'IOM-FLEX', 'PPO'],
      ['identity', 'risk', 'accommodation'],
    )
    add(
      r,
      'PILOT',
      'Employment support pilot (ended)',
      [r.probationId, r.housingId],
      allCohorts,
      ['identity', 'employment_finance'],
      isoDay(addDays(today, -30)),
    )
  }
  await insertMany(db, 'sharing_agreements', agreements)
  await insertMany(db, 'sharing_agreement_agencies', parties)
  await insertMany(db, 'sharing_agreement_cohorts', covered)
  await insertMany(db, 'sharing_agreement_categories', shared)
}
