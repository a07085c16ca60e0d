import { fakerEN_GB as faker } from '@faker-js/faker'
import { formatCro, formatPnc } from '../../modules/people/identifiers.js'
import { humanise } from '../../platform/views/format.js'
import type { Estate, SeededRegion, SeededTeam } from './estate.js'
import { caseWorkFor, CASEWORK_TABLES, queueRequest, waitingForAllocation } from './casework.js'
import { addDays, DAY_MS, isoDay, type Random } from './random.js'
import { OFFENCES, type CohortCode } from './regions.js'

/** Rows for every person-scoped table, in COPY column order. */
export const TABLES = {
  people: [
    'id',
    'crn',
    'noms_number',
    'pnc_number',
    'cro_number',
    'first_name',
    'last_name',
    'date_of_birth',
    'gender',
    'ethnicity',
    'nationality',
    'preferred_language',
    'interpreter_needed',
    'phone',
    'region_id',
    'pdu_id',
    'lead_agency_id',
    'lead_team_id',
    'custody_status',
    'prison_code',
    'rosh_level',
    'mappa_category',
    'mappa_level',
    'tier',
    'accessibility_needs',
    'communication_needs',
  ],
  person_identifiers: ['type', 'value', 'person_id'],
  person_aliases: ['person_id', 'id', 'first_name', 'last_name', 'date_of_birth'],
  person_addresses: ['person_id', 'id', 'kind', 'line1', 'town', 'postcode', 'starts_on', 'ends_on'],
  person_needs: ['person_id', 'id', 'pathway', 'level', 'description', 'assessed_on', 'source_system'],
  cohort_memberships: ['person_id', 'cohort_id', 'started_on', 'reason', 'review_on'],
  allocations: ['person_id', 'id', 'user_id', 'team_id', 'agency_id', 'role', 'is_lead', 'started_at'],
  case_restrictions: ['person_id', 'user_id', 'kind', 'reason'],
  sentences: [
    'person_id',
    'id',
    'event_number',
    'sentence_type',
    'description',
    'offence',
    'offence_category',
    'court',
    'sentenced_on',
    'length_days',
    'expected_release_on',
    'licence_end_on',
    'sentence_end_on',
    'ended_on',
  ],
  custody_episodes: [
    'person_id',
    'id',
    'prison_code',
    'prison_name',
    'received_on',
    'released_on',
    'release_reason',
  ],
  licence_conditions: ['person_id', 'id', 'sentence_id', 'description', 'starts_on'],
  registrations: [
    'person_id',
    'id',
    'type_code',
    'type_description',
    'category',
    'level',
    'registered_on',
    'next_review_on',
  ],
  appointments: [
    'person_id',
    'id',
    'starts_at',
    'ends_at',
    'kind',
    'location',
    'staff_user_id',
    'agency_id',
    'outcome',
    'outcome_recorded_at',
  ],
  contacts: ['person_id', 'id', 'occurred_at', 'kind', 'summary', 'category', 'author_user_id', 'agency_id'],
  timeline_events: [
    'person_id',
    'occurred_at',
    'kind',
    'category',
    'agency_id',
    'source_system',
    'title',
    'summary',
    'pathway',
  ],
  ...CASEWORK_TABLES,
} as const

export type TableName = keyof typeof TABLES
export type Value = string | number | boolean | null
export type Rows = Record<TableName, Value[][]>

export function emptyRows(): Rows {
  return Object.fromEntries(Object.keys(TABLES).map((t) => [t, []])) as unknown as Rows
}

const ETHNICITIES = [
  ['White: English, Welsh, Scottish, Northern Irish or British', 70],
  ['White: Other', 6],
  ['Black, Black British, Caribbean or African', 9],
  ['Asian or Asian British', 8],
  ['Mixed or multiple ethnic groups', 5],
  ['Other ethnic group', 2],
] as const
const LICENCE_CONDITIONS = [
  'Not to contact the victim directly or indirectly',
  'Reside at an address approved by the supervising officer',
  'Not to enter the exclusion zone shown on the attached map',
  'Attend all appointments arranged for drug testing',
  'Comply with a curfew between 7pm and 7am, monitored electronically',
  'Attend and engage with a domestic abuse programme',
  'Not to own or possess more than one mobile phone',
]
const APPOINTMENT_KINDS = ['office_visit', 'home_visit', 'phone_contact', 'video_call', 'programme_session']
const OUTCOMES = [
  ['attended_complied', 72],
  ['acceptable_absence', 9],
  ['unacceptable_absence', 8],
  ['rescheduled', 7],
  ['attended_failed_to_comply', 4],
] as const
const OUTCOME_TITLES: Record<string, string> = {
  attended_complied: 'Attended and complied',
  acceptable_absence: 'Acceptable absence',
  unacceptable_absence: 'Failed to attend (unacceptable absence)',
  rescheduled: 'Rescheduled',
  attended_failed_to_comply: 'Attended, failed to comply',
}

/** Partner activity that fills a person's story, by kind: [kind, category, source system, pathway, titles]. */
const STORY: readonly (readonly [string, string, string, string | null, readonly string[]])[] = [
  [
    'contact.note',
    'supervision',
    'nDelius',
    'attitudes_thinking_behaviour',
    [
      'Supervision session notes',
      'Discussed progress against the sentence plan',
      'Reviewed compliance and motivation',
    ],
  ],
  [
    'contact.phone',
    'supervision',
    'nDelius',
    null,
    [
      'Phone call with the person',
      'Left a voicemail asking them to call back',
      'Text reminder of next appointment sent',
    ],
  ],
  [
    'treatment.session',
    'substance_misuse',
    'Drug treatment system',
    'drugs_alcohol',
    ['Key work session', 'Drug test: negative', 'Drug test: positive for opiates', 'Prescribing review'],
  ],
  [
    'health.contact',
    'health',
    'NHS',
    'health',
    ['GP registration confirmed', 'Mental health assessment', 'Missed mental health appointment'],
  ],
  [
    'police.intelligence',
    'police_intelligence',
    'Police National Database',
    null,
    [
      'Intelligence report received',
      'Seen with known associates',
      'Stop and search: nothing found',
      'Arrested and released under investigation',
    ],
  ],
  [
    'accommodation.update',
    'accommodation',
    'Housing options',
    'accommodation',
    [
      'Housing options interview',
      'Placed in temporary accommodation',
      'Moved to settled accommodation',
      'Lost accommodation: asked to leave',
    ],
  ],
  [
    'employment.update',
    'employment_finance',
    'DWP',
    'education_training_employment',
    [
      'Universal Credit claim made',
      'Started employment support course',
      'Job interview arranged',
      'Debt advice appointment',
    ],
  ],
  [
    'family.update',
    'family',
    'Children’s services',
    'children_families',
    ['Contact with children arranged', 'Children’s services strategy meeting', 'Family support referral'],
  ],
  [
    'victim.contact',
    'victim',
    'Victim contact scheme',
    null,
    ['Victim liaison officer update', 'Victim informed of release date'],
  ],
]

interface PersonContext {
  id: string
  region: SeededRegion
  team: SeededTeam
  practitionerId: string
  pduPlace: string
}

/**
 * Generates one person on probation and everything recorded about them: identity, sentences,
 * custody, licence, registrations, allocations, recent and upcoming appointments, contacts,
 * and on average about 100 timeline events from every agency.
 */
export function generatePerson(
  random: Random,
  estate: Estate,
  ctx: PersonContext,
  sequence: number,
  today: Date,
  rows: Rows,
) {
  const { id, region, team } = ctx
  // A few people wait in their team's allocation queue while someone elsewhere holds the case;
  // in a large team one practitioner takes a full caseload from their colleagues.
  const waiting = waitingForAllocation(random, region, team)
  const heavy = team.heavyCaseload
  const practitionerId =
    waiting?.holderId ??
    (heavy && heavy.userId !== ctx.practitionerId && random.chance(heavy.share)
      ? heavy.userId
      : ctx.practitionerId)
  const gender = random.chance(0.88) ? 'male' : 'female'
  const firstName = faker.person.firstName(gender)
  const lastName = faker.person.lastName()
  const age = Math.round(
    18 + Math.min(52, Math.abs(random.next() + random.next() + random.next() - 1.2) * 22),
  )
  const dob = addDays(today, -(age * 365.25 + random.int(0, 364)))
  const historyYears = random.int(1, Math.min(12, Math.max(1, age - 17)))
  const historyStart = addDays(today, -historyYears * 365)

  // The current sentence decides where the person is now.
  const offence = random.weighted(OFFENCES.map((o) => [o, o.weight] as const))
  const sentenceKind = random.weighted([
    ['community', 40],
    ['suspended', 15],
    ['short_custody', 20],
    ['long_custody', 25],
  ] as const)
  const custodial = sentenceKind === 'short_custody' || sentenceKind === 'long_custody'
  const lengthDays =
    sentenceKind === 'short_custody'
      ? random.int(28, 360)
      : sentenceKind === 'long_custody'
        ? random.int(365, 3650)
        : random.int(180, 1095)
  const sentencedOn = addDays(
    today,
    -random.int(30, Math.max(60, Math.min(lengthDays + 400, historyYears * 365))),
  )
  const releaseOn = custodial ? addDays(sentencedOn, Math.round(lengthDays / 2)) : null
  const released = !!releaseOn && releaseOn <= today
  const sentenceEnd = addDays(sentencedOn, lengthDays + (sentenceKind === 'short_custody' ? 365 : 0))
  const custodyStatus = custodial ? (released ? 'released_on_licence' : 'in_custody') : 'community'
  const rosh = random.weighted([
    ['low', 33],
    ['medium', 46],
    ['high', 18],
    ['very_high', 3],
  ] as const)
  const mappa =
    rosh === 'high' || rosh === 'very_high'
      ? random.chance(0.4)
        ? [random.int(1, 3), random.int(1, 2)]
        : null
      : null
  const tierLetter =
    rosh === 'very_high' || rosh === 'high'
      ? random.pick(['A', 'B'])
      : rosh === 'medium'
        ? random.pick(['B', 'C'])
        : random.pick(['C', 'D'])
  const hasNoms = custodial || random.chance(0.3)
  const prisonCode = custodyStatus === 'in_custody' ? region.seed.prison.code : null

  const crnNumber = (sequence * 7919 + 104_729) % 1_000_000
  const crn = `${region.seed.crnLetter}${String(crnNumber).padStart(6, '0')}`
  const noms = hasNoms ? nomsNumber(sequence) : null
  const firstArrestYear = Math.min(
    today.getUTCFullYear() - 1,
    dob.getUTCFullYear() + random.int(14, Math.max(15, age - 1)),
  )
  const pnc = formatPnc(firstArrestYear, 100_000 + ((sequence * 104_729) % 8_000_000))
  const cro = random.chance(0.7) ? formatCro(((sequence * 31) % 999_999) + 1, firstArrestYear) : null

  rows.people.push([
    id,
    crn,
    noms,
    pnc,
    cro,
    firstName,
    lastName,
    isoDay(dob),
    gender,
    random.weighted(ETHNICITIES),
    random.chance(0.9) ? 'British' : random.pick(['Polish', 'Irish', 'Romanian', 'Somali', 'Pakistani']),
    random.chance(0.95) ? 'English' : random.pick(['Polish', 'Romanian', 'Urdu', 'Arabic', 'Welsh']),
    random.chance(0.02),
    `07${String(random.int(100_000_000, 999_999_999))}`,
    region.id,
    team.pduId,
    region.probationId,
    team.id,
    custodyStatus,
    prisonCode,
    rosh,
    mappa?.[0] ?? null,
    mappa?.[1] ?? null,
    `${tierLetter}${random.int(0, 3)}`,
    random.chance(0.12) ? `{${random.pick(ACCESSIBILITY_NEEDS)}}` : '{}',
    random.chance(0.05) ? random.pick(COMMUNICATION_NEEDS) : null,
  ])
  rows.person_identifiers.push(['crn', crn, id], ['pnc', pnc, id])
  if (noms) rows.person_identifiers.push(['noms', noms, id])
  if (cro) rows.person_identifiers.push(['cro', cro, id])
  // Some people are known by other names: a nickname, a former surname, a transposed name.
  if (random.chance(0.15)) {
    const alias = random.weighted([
      [{ first: nickname(firstName) ?? firstName, last: lastName }, 3],
      [{ first: firstName, last: faker.person.lastName() }, 3],
      [{ first: lastName, last: firstName }, 1],
    ] as const)
    rows.person_aliases.push([
      id,
      random.uuid(),
      alias.first,
      alias.last,
      random.chance(0.3) ? isoDay(addDays(dob, random.int(-400, 400))) : null,
    ])
  }
  addressHistory(random, rows, id, region, ctx.pduPlace, custodyStatus, today, historyYears)

  needsFor(random, rows, id, { drugs: offence.category.startsWith('drug') || random.chance(0.3), today })

  // Cohorts, and the partners allocated because of them.
  const cohorts: CohortCode[] = []
  if (random.chance(0.12))
    cohorts.push(
      random.weighted([
        ['IOM-FIXED', 3],
        ['IOM-FLEX', 5],
        ['IOM-FREE', 4],
      ] as const),
    )
  if (random.chance(0.03)) cohorts.push('PPO')
  if (sentenceKind === 'short_custody') cohorts.push('SHORT-SENTENCE')
  if (offence.category === 'violence' && random.chance(0.35)) cohorts.push('DA-PERPETRATOR')
  if (age <= 25) cohorts.push('YOUTH-DIVERSION')
  for (const code of cohorts) {
    rows.cohort_memberships.push([
      id,
      estate.cohorts[code],
      isoDay(addDays(sentencedOn, 14)),
      'Meets the cohort criteria',
      isoDay(addDays(today, random.int(10, 90))),
    ])
  }
  const allocatedAt = addDays(sentencedOn, random.int(1, 10)).toISOString()
  rows.allocations.push([
    id,
    random.uuid(),
    practitionerId,
    waiting?.teamId ?? team.id,
    region.probationId,
    'probation_practitioner',
    true,
    allocatedAt,
  ])
  if (waiting) {
    const court = `${region.seed.places[0]} Magistrates’ Court`
    queueRequest(random, rows, { personId: id, teamId: team.id, court, place: ctx.pduPlace, today })
  }
  const iom = cohorts.some((c) => c.startsWith('IOM') || c === 'PPO')
  const drugNeed = offence.category.startsWith('drug') || random.chance(0.3)
  const housingNeed = sentenceKind === 'short_custody' || random.chance(0.15)
  if (iom)
    rows.allocations.push([
      id,
      random.uuid(),
      random.pick(region.policeOfficers),
      null,
      region.policeId,
      'police_iom_officer',
      false,
      allocatedAt,
    ])
  if (drugNeed && random.chance(0.5)) {
    rows.allocations.push([
      id,
      random.uuid(),
      random.pick(region.healthWorkers),
      null,
      region.healthId,
      'drug_and_alcohol_worker',
      false,
      allocatedAt,
    ])
  }
  if (housingNeed && random.chance(0.5)) {
    rows.allocations.push([
      id,
      random.uuid(),
      random.pick(region.housingOfficers),
      null,
      region.housingId,
      'housing_officer',
      false,
      allocatedAt,
    ])
  }

  // A few cases are restricted to their case manager, or exclude a colleague who knows them.
  const protection = random.next()
  if (protection < 0.002) {
    rows.case_restrictions.push([
      id,
      practitionerId,
      'allow',
      'High-profile case: access limited to the case manager',
    ])
    rows.case_restrictions.push([id, team.managerId, 'allow', 'High-profile case: manager oversight'])
  } else if (protection < 0.004 && team.practitioners.length > 1) {
    const colleague = team.practitioners.find((p) => p !== practitionerId)
    if (colleague)
      rows.case_restrictions.push([id, colleague, 'deny', 'Staff member is related to the person'])
  }

  const story = new Story(rows, random, id)
  const court = `${region.seed.places[0]} ${lengthDays > 365 ? 'Crown' : 'Magistrates’'} Court`

  // Earlier convictions, then the current one.
  const previous = random.int(0, 2)
  for (let n = 0; n < previous; n++) {
    const on = addDays(
      historyStart,
      random.int(0, Math.max(1, Math.floor((sentencedOn.getTime() - historyStart.getTime()) / DAY_MS) - 60)),
    )
    const earlier = random.weighted(OFFENCES.map((o) => [o, o.weight] as const))
    rows.sentences.push([
      id,
      random.uuid(),
      n + 1,
      'community',
      'Community order (ended)',
      earlier.offence,
      earlier.category,
      court,
      isoDay(on),
      365,
      null,
      null,
      isoDay(addDays(on, 365)),
      isoDay(addDays(on, 365)),
    ])
    story.add(
      on,
      'court.sentenced',
      'sentence',
      region.courtId,
      'Court (Common Platform)',
      `Sentenced: community order for ${earlier.offence.toLowerCase()}`,
      null,
    )
    story.add(
      addDays(on, 365),
      'order.ended',
      'sentence',
      region.probationId,
      'nDelius',
      'Community order ended',
      null,
    )
  }
  const sentenceId = random.uuid()
  const description = {
    community: `Community order, ${Math.round(lengthDays / 30)} months`,
    suspended: `Suspended sentence order, ${Math.round(lengthDays / 30)} months`,
    short_custody: `Custodial sentence, ${Math.round(lengthDays / 7)} weeks`,
    long_custody: `Custodial sentence, ${(lengthDays / 365).toFixed(1).replace('.0', '')} years`,
  }[sentenceKind]
  rows.sentences.push([
    id,
    sentenceId,
    previous + 1,
    sentenceKind,
    description,
    offence.offence,
    offence.category,
    court,
    isoDay(sentencedOn),
    lengthDays,
    releaseOn ? isoDay(releaseOn) : null,
    custodial ? isoDay(sentenceEnd) : null,
    isoDay(sentenceEnd),
    null,
  ])
  story.add(
    addDays(sentencedOn, -21),
    'report.pre-sentence',
    'sentence',
    region.probationId,
    'nDelius',
    'Pre-sentence report completed',
    null,
  )
  story.add(
    sentencedOn,
    'court.sentenced',
    'sentence',
    region.courtId,
    'Court (Common Platform)',
    `Sentenced: ${description.toLowerCase()} for ${offence.offence.toLowerCase()}`,
    null,
  )
  if (custodial) {
    rows.custody_episodes.push([
      id,
      random.uuid(),
      region.seed.prison.code,
      region.seed.prison.name,
      isoDay(sentencedOn),
      released ? isoDay(releaseOn!) : null,
      released ? 'RELEASED' : null,
    ])
    story.add(
      sentencedOn,
      'custody.received',
      'sentence',
      region.prisonId,
      'NOMIS',
      `Received into ${region.seed.prison.name}`,
      null,
    )
    if (released) {
      story.add(
        releaseOn!,
        'custody.released',
        'sentence',
        region.prisonId,
        'NOMIS',
        `Released from ${region.seed.prison.name} on licence`,
        null,
      )
      const conditions = random.int(2, 4)
      for (let c = 0; c < conditions; c++)
        rows.licence_conditions.push([
          id,
          random.uuid(),
          sentenceId,
          LICENCE_CONDITIONS[(sequence + c) % LICENCE_CONDITIONS.length]!,
          isoDay(releaseOn!),
        ])
      story.add(
        releaseOn!,
        'licence.activated',
        'sentence',
        region.probationId,
        'Create and vary a licence',
        `Licence activated with ${conditions} additional conditions`,
        null,
      )
    }
  }

  // Registrations (flags) and assessments.
  const registrations: [string, string, string, string | null][] = [
    [
      { low: 'RLRH', medium: 'RMRH', high: 'RHRH', very_high: 'RVHR' }[rosh],
      `${rosh === 'very_high' ? 'Very high' : rosh.charAt(0).toUpperCase() + rosh.slice(1)} RoSH`,
      'risk',
      null,
    ],
  ]
  if (mappa) registrations.push(['MAPP', 'MAPPA', 'risk', `M${mappa[1]}`])
  if (cohorts.includes('DA-PERPETRATOR'))
    registrations.push(['ADVP', 'Domestic Abuse Perpetrator', 'risk', null])
  if (random.chance(0.08)) registrations.push(['RCCO', 'Child Concerns', 'family', null])
  if (random.chance(0.1)) registrations.push(['ALSH', 'Suicide/Self Harm', 'health', null])
  if (iom) registrations.push(['IIOM', 'Integrated Offender Management', 'risk', null])
  for (const [code, label, category, level] of registrations) {
    const on = addDays(sentencedOn, random.int(0, 60))
    rows.registrations.push([
      id,
      random.uuid(),
      code,
      label,
      category,
      level,
      isoDay(on),
      isoDay(addDays(on, 180)),
    ])
    story.add(
      on,
      'registration.added',
      category,
      region.probationId,
      'nDelius',
      `Registration added: ${label}`,
      null,
    )
  }
  for (let y = 0; y < historyYears; y++) {
    story.add(
      addDays(historyStart, y * 365 + random.int(0, 300)),
      'assessment.completed',
      'risk',
      region.probationId,
      'OASys',
      'OASys assessment completed',
      `Risk of serious harm: ${rosh.replace('_', ' ')}`,
    )
  }

  // Recent and upcoming appointments with the case manager, weekly or fortnightly on a fixed weekday.
  const supervising = custodyStatus !== 'in_custody'
  if (supervising) {
    const every = tierLetter <= 'B' ? 7 : 14
    const weekday = 1 + (sequence % 5)
    const slot = (9 + (sequence % 8)) * 60 + ((sequence >> 3) % 2) * 30
    const first = addDays(today, -56)
    const start = addDays(first, (weekday - first.getUTCDay() + 7) % 7)
    for (let day = start; day < addDays(today, 28); day = addDays(day, every)) {
      const at = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 0, slot))
      const past = at < today
      const outcome = past ? random.weighted(OUTCOMES) : null
      const kind = random.pick(APPOINTMENT_KINDS)
      rows.appointments.push([
        id,
        random.uuid(),
        at.toISOString(),
        new Date(at.getTime() + 45 * 60_000).toISOString(),
        kind,
        `${ctx.pduPlace} probation office`,
        practitionerId,
        region.probationId,
        outcome,
        past ? new Date(at.getTime() + 3_600_000).toISOString() : null,
      ])
      if (outcome)
        story.add(
          at,
          `appointment.${outcome}`,
          'supervision',
          region.probationId,
          'nDelius',
          `${humanise(kind)}: ${OUTCOME_TITLES[outcome]}`,
          null,
        )
    }
    for (let c = random.int(2, 6); c > 0; c--) {
      const at = new Date(today.getTime() - random.int(1, 90) * DAY_MS - random.int(0, 36_000_000))
      const [kind, category, , , titles] = random.chance(0.7) ? STORY[0]! : random.pick(STORY.slice(2, 5))
      const summary = random.pick(titles)
      rows.contacts.push([
        id,
        random.uuid(),
        at.toISOString(),
        kind,
        summary,
        category,
        practitionerId,
        region.probationId,
      ])
      story.add(at, kind, category, region.probationId, 'Tandem', summary, null)
    }
  }

  caseWorkFor(random, rows, { id, practitionerId, region, today, drugNeed, housingNeed, supervising })

  // The rest of the story, from every agency, up to this person's share of about 100 events.
  const target = random.int(40, 160)
  const agencyFor: Record<string, string> = {
    supervision: region.probationId,
    substance_misuse: region.healthId,
    health: region.healthId,
    police_intelligence: region.policeId,
    accommodation: housingNeed ? region.housingId : region.probationId,
    employment_finance: region.probationId,
    family: region.probationId,
    victim: region.probationId,
  }
  const weights = STORY.map(([kind]) =>
    kind.startsWith('contact')
      ? 10
      : kind === 'treatment.session'
        ? drugNeed
          ? 6
          : 0
        : kind === 'police.intelligence'
          ? iom
            ? 5
            : 1
          : kind === 'accommodation.update'
            ? housingNeed
              ? 3
              : 0.5
            : kind === 'victim.contact'
              ? cohorts.includes('DA-PERPETRATOR')
                ? 1
                : 0
              : 1,
  )
  const span = today.getTime() - historyStart.getTime()
  while (story.count < target) {
    const [kind, category, source, pathway, titles] = random.weighted(
      STORY.map((s, i) => [s, weights[i]!] as const),
    )
    // Skew towards recent events: supervision is most intense now.
    const at = new Date(today.getTime() - Math.floor(span * random.next() * random.next()))
    story.add(at, kind, category, agencyFor[category]!, source, random.pick(titles), null, pathway)
  }
}

const ACCESSIBILITY_NEEDS = [
  'Dyslexia',
  'Hearing impairment',
  'Learning disability',
  'Uses a wheelchair',
  'Visual impairment',
  'ADHD',
  'Autism',
]
const COMMUNICATION_NEEDS = [
  'Reads little English: explain letters in person',
  'Prefers appointments by text message',
  'Needs information in Easy Read',
  'Use a British Sign Language interpreter',
]
const NICKNAMES: Record<string, string> = {
  Robert: 'Bob',
  William: 'Bill',
  James: 'Jim',
  Michael: 'Mike',
  Richard: 'Rick',
  Thomas: 'Tom',
  Christopher: 'Chris',
  Joseph: 'Joe',
  Daniel: 'Dan',
  Anthony: 'Tony',
  Steven: 'Steve',
  Stephen: 'Steve',
  Edward: 'Ted',
  David: 'Dave',
  Matthew: 'Matt',
  Andrew: 'Andy',
  Alexander: 'Alex',
  Benjamin: 'Ben',
  Samuel: 'Sam',
  Jonathan: 'Jon',
  Nicholas: 'Nick',
  Elizabeth: 'Liz',
  Margaret: 'Maggie',
  Katherine: 'Kate',
  Jennifer: 'Jen',
  Rebecca: 'Becky',
  Jessica: 'Jess',
  Victoria: 'Vicky',
  Susan: 'Sue',
  Deborah: 'Debbie',
  Patricia: 'Trish',
}
/** The short form a person with this forename is often known by, if any. */
export const nickname = (name: string): string | undefined => NICKNAMES[name]

const PATHWAYS = [
  [
    'accommodation',
    ['Settled accommodation', 'Temporary accommodation, needs a settled home', 'No fixed abode'],
  ],
  [
    'education_training_employment',
    ['In work', 'Unemployed, wants work', 'No qualifications; interested in a course'],
  ],
  ['health', ['No known health needs', 'Depression, under the GP', 'Long-term physical condition']],
  ['drugs_alcohol', ['No misuse', 'Opiate use, on a script', 'Alcohol misuse linked to offending']],
  ['finance_benefit_debt', ['Managing', 'Universal Credit claim needed', 'Rent arrears and fines']],
  ['children_families', ['No dependants', 'Contact with children arranged', "Children's services involved"]],
  [
    'attitudes_thinking_behaviour',
    ['Motivated to change', 'Impulsive; consequential thinking work', 'Pro-criminal attitudes'],
  ],
] as const

/** A need for each resettlement pathway, as an OASys assessment would record it. */
function needsFor(random: Random, rows: Rows, personId: string, facts: { drugs: boolean; today: Date }) {
  const assessedOn = isoDay(addDays(facts.today, -random.int(10, 300)))
  for (const [pathway, descriptions] of PATHWAYS) {
    const forced = pathway === 'drugs_alcohol' && facts.drugs
    const level = forced
      ? random.pick(['medium', 'high'] as const)
      : random.weighted([
          ['none', 35],
          ['low', 30],
          ['medium', 25],
          ['high', 10],
        ] as const)
    const description = descriptions[level === 'none' ? 0 : level === 'high' ? 2 : random.int(1, 2)]!
    rows.person_needs.push([personId, random.uuid(), pathway, level, description, assessedOn, 'OASys'])
  }
}

const POSTCODE_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ'

function postcode(random: Random, region: SeededRegion): string {
  const unit = `${random.int(1, 9)}${POSTCODE_LETTERS[random.int(0, 19)]}${POSTCODE_LETTERS[random.int(0, 19)]}`
  return `${random.pick(region.seed.postcodeAreas)}${random.int(1, 20)} ${unit}`
}

/** Where the person has lived: earlier addresses, then now (or prison, or no fixed abode). */
function addressHistory(
  random: Random,
  rows: Rows,
  personId: string,
  region: SeededRegion,
  place: string,
  custody: string,
  today: Date,
  years: number,
) {
  let from = addDays(today, -years * 365 - random.int(0, 365))
  const moves = random.int(0, 3)
  for (let n = 0; n < moves; n++) {
    const until = addDays(from, random.int(60, Math.max(61, (years * 365) / (moves + 1))))
    rows.person_addresses.push([
      personId,
      random.uuid(),
      'main',
      `${random.int(1, 200)} ${faker.location.street()}`,
      place,
      postcode(random, region),
      isoDay(from),
      isoDay(until),
    ])
    from = until
  }
  if (custody === 'in_custody') {
    rows.person_addresses.push([
      personId,
      random.uuid(),
      'prison',
      region.seed.prison.name,
      region.seed.places[0]!,
      null,
      isoDay(from),
      null,
    ])
  } else if (random.chance(0.05)) {
    rows.person_addresses.push([
      personId,
      random.uuid(),
      'no_fixed_abode',
      null,
      place,
      null,
      isoDay(from),
      null,
    ])
  } else {
    rows.person_addresses.push([
      personId,
      random.uuid(),
      'main',
      `${random.int(1, 200)} ${faker.location.street()}`,
      place,
      postcode(random, region),
      isoDay(from),
      null,
    ])
  }
}

const letter = (n: number) => String.fromCharCode(65 + (n % 26))

/** A unique prison number for each sequence number: a bijection onto A0000AA…Z9999ZZ. */
function nomsNumber(sequence: number): string {
  const n = (sequence * 7919 + 12_345) % 6_760_000
  const rest = Math.floor(n / 10_000)
  return `${letter(Math.floor(rest / 676) + 6)}${String(n % 10_000).padStart(4, '0')}${letter(Math.floor(rest / 26))}${letter(rest)}`
}

/** Collects one person's timeline rows. */
class Story {
  count = 0
  constructor(
    private readonly rows: Rows,
    private readonly random: Random,
    private readonly personId: string,
  ) {}

  add(
    at: Date,
    kind: string,
    category: string,
    agencyId: string,
    source: string,
    title: string,
    summary: string | null,
    pathway: string | null = null,
  ) {
    const time = new Date(
      at.getTime() + this.random.int(8, 17) * 3_600_000 * (at.getUTCHours() === 0 ? 1 : 0),
    )
    this.rows.timeline_events.push([
      this.personId,
      time.toISOString(),
      kind,
      category,
      agencyId,
      source,
      title,
      summary,
      pathway,
    ])
    this.count += 1
  }
}
