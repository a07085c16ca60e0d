import type { SeededRegion, SeededTeam } from './estate.js'
import type { Rows } from './people.js'
import { addDays, isoDay, type Random } from './random.js'
import { referralsFor, REFERRAL_TABLES } from './referrals.js'

/** Column lists (COPY order) for the case management rows each person may have. */
export const CASEWORK_TABLES = {
  allocation_requests: ['person_id', 'id', 'team_id', 'reason', 'requested_at', 'status'],
  case_plans: ['person_id', 'created_by', 'created_at'],
  plan_objectives: ['person_id', 'id', 'pathway', 'description', 'status', 'created_by', 'created_at'],
  plan_actions: [
    'person_id',
    'id',
    'objective_id',
    'description',
    'service_type',
    'owner_agency_id',
    'owner_user_id',
    'due_on',
    'status',
    'created_by',
    'created_at',
  ],
  tasks: [
    'person_id',
    'id',
    'kind',
    'title',
    'reason',
    'owner_user_id',
    'owner_agency_id',
    'due_on',
    'status',
    'source',
  ],
  ...REFERRAL_TABLES,
} as const

/** About one person in 120 is waiting for a team to allocate them a practitioner. */
const WAITING_SHARE = 0.008

/**
 * Whether this person waits in their team's allocation queue, and if so who holds the case
 * meanwhile: a practitioner of another team (the court report writer, or the team they are
 * transferring from), so that every person still has a lead.
 */
export function waitingForAllocation(
  random: Random,
  region: SeededRegion,
  team: SeededTeam,
): { holderId: string; teamId: string } | null {
  if (!random.chance(WAITING_SHARE)) return null
  const other = region.pdus.flatMap((pdu) => pdu.teams).find((t) => t.id !== team.id)
  const holderId = other ? random.pick(other.practitioners) : null
  return other && holderId ? { holderId, teamId: other.id } : null
}

export function queueRequest(
  random: Random,
  rows: Rows,
  request: { personId: string; teamId: string; court: string; place: string; today: Date },
) {
  const reason = random.chance(0.6)
    ? `New case from ${request.court}: held by the court report writer until allocated`
    : `Transfer in to ${request.place}: moved address`
  rows.allocation_requests.push([
    request.personId,
    random.uuid(),
    request.teamId,
    reason,
    addDays(request.today, -random.int(0, 9)).toISOString(),
    'waiting',
  ])
}

const OBJECTIVES = [
  ['accommodation', 'Find settled accommodation', 'Refer to housing options', 'housing', 'housing'],
  ['drugs_alcohol', 'Reduce drug use', 'Start a structured treatment programme', 'drug_treatment', 'health'],
  [
    'education_training_employment',
    'Find work or training',
    'Book a session with the work coach',
    'employment_support',
    null,
  ],
  ['finance_benefit_debt', 'Get benefits in place', 'Help to claim Universal Credit', 'benefits', null],
  [
    'attitudes_thinking_behaviour',
    'Complete an accredited programme',
    'Enrol on Building Choices',
    null,
    null,
  ],
  [
    'children_families',
    'Rebuild contact with family safely',
    'Agree a contact plan with children’s services',
    null,
    null,
  ],
  ['health', 'Register with a GP', 'Book a GP registration appointment', null, 'health'],
] as const
const TASKS = [
  'Review the sentence plan',
  'Complete the OASys review',
  'Check accommodation before release',
  'Send a home visit report',
] as const

/**
 * A shared plan for most people in the community or on licence: objectives on a few pathways,
 * each with actions owned by probation or a partner, some done and some overdue; and a few
 * open tasks for the practitioner.
 */
export function caseWorkFor(
  random: Random,
  rows: Rows,
  person: {
    id: string
    practitionerId: string
    region: SeededRegion
    today: Date
    drugNeed: boolean
    housingNeed: boolean
    supervising: boolean
  },
) {
  const { id, practitionerId, region, today } = person
  if (person.supervising && random.chance(0.7)) {
    const created = addDays(today, -random.int(20, 200)).toISOString()
    rows.case_plans.push([id, practitionerId, created])
    const chosen = OBJECTIVES.filter(
      ([pathway]) =>
        (pathway === 'drugs_alcohol' && person.drugNeed) ||
        (pathway === 'accommodation' && person.housingNeed) ||
        random.chance(0.2),
    ).slice(0, 3)
    for (const [pathway, objective, action, serviceType, partner] of chosen) {
      const objectiveId = random.uuid()
      rows.plan_objectives.push([id, objectiveId, pathway, objective, 'active', practitionerId, created])
      for (let n = random.int(1, 2); n > 0; n--) {
        const byPartner = partner && random.chance(0.5)
        rows.plan_actions.push([
          id,
          random.uuid(),
          objectiveId,
          action,
          serviceType,
          byPartner ? (partner === 'housing' ? region.housingId : region.healthId) : region.probationId,
          byPartner ? null : practitionerId,
          isoDay(addDays(today, random.int(-30, 90))),
          random.weighted([
            ['not_started', 35],
            ['in_progress', 35],
            ['done', 25],
            ['cancelled', 5],
          ] as const),
          practitionerId,
          created,
        ])
      }
    }
  }
  if (random.chance(0.15)) {
    rows.tasks.push([
      id,
      random.uuid(),
      'review',
      random.pick(TASKS),
      'Due under the national standards',
      practitionerId,
      region.probationId,
      isoDay(addDays(today, random.int(-10, 20))),
      'open',
      'seed',
    ])
  }
  referralsFor(rows, person)
}
