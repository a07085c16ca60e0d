import type { SeededRegion } from './estate.js'
import type { Rows } from './people.js'
import { addDays, Random } from './random.js'

/** Column lists (COPY order) for referrals and their history. */
export const REFERRAL_TABLES = {
  referrals: [
    'person_id',
    'id',
    'reference',
    'service_type',
    'service_name',
    'pathway',
    'provider_agency_id',
    'provider_name',
    'status',
    'reason',
    'sent_at',
    'assigned_at',
    'ended_at',
    'concluded_at',
    'end_reason',
    'source_system',
    'source_ref',
    'referred_by',
    'assigned_to_name',
    'created_at',
    'updated_at',
  ],
  referral_updates: [
    'person_id',
    'id',
    'referral_id',
    'kind',
    'status',
    'note',
    'occurred_at',
    'author_user_id',
    'agency_id',
    'source_system',
    'created_at',
  ],
} as const

const INTERVENTIONS = 'Refer and monitor an intervention'
const CRS = [
  ['Education, Training and Employment', 'employment_support', 'education_training_employment', 'ET'],
  ['Finance, Benefit and Debt', 'benefits', 'finance_benefit_debt', 'FI'],
  ['Emotional Wellbeing', null, 'health', 'EM'],
  ['Dependency and Recovery', 'drug_treatment', 'drugs_alcohol', 'DE'],
] as const
const CRS_PROVIDERS = ['Seetec Justice', 'Ingeus', 'St Giles Trust', 'Nacro', 'The Forward Trust']
const CASEWORKERS = ['Jo Baxter', 'Sam Okafor', 'Lee Murray', 'Ana Costa', 'Ravi Patel']
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ'

const STAGES = ['sent', 'assigned', 'in_progress', 'concluded'] as const
type Stage = (typeof STAGES)[number] | 'cancelled'

/**
 * Referrals for a person in the community: accommodation to the region's provider for some
 * with a housing need, treatment to the health partner for some with a drug need, and now and
 * then a commissioned intervention followed from Refer and Monitor. Drawn from a random source
 * of the person's own, so adding referrals leaves everything else the seed makes unchanged.
 */
export function referralsFor(
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
  if (!person.supervising) return
  const random = new Random((parseInt(person.id.slice(0, 8), 16) * 2_654_435_761) ^ 0x5eed)
  const { region } = person
  const reference = (code: string) =>
    `${random.pick([...LETTERS])}${random.pick([...LETTERS])}${String(random.int(0, 9999)).padStart(4, '0')}${code}`
  const add = (r: {
    serviceType: string | null
    serviceName: string | null
    pathway: string
    providerId: string | null
    providerName: string | null
    code: string
    reason: string | null
    upstream: boolean
  }) => {
    const id = random.uuid()
    const stage: Stage = random.weighted([
      ['sent', 20],
      ['assigned', 20],
      ['in_progress', 35],
      ['concluded', 15],
      ['cancelled', 10],
    ] as const)
    const sent = addDays(person.today, -random.int(stage === 'sent' ? 1 : 20, 150))
    // The dates of the referral's later steps, in order and never after today.
    let days = 0
    const steps = [0, 1, 2, 3, 4].map(() => {
      const at = addDays(sent, (days += random.int(2, 9)))
      return at > person.today ? person.today : at
    })
    const step = (n: number) => steps[n]!
    const reached = (s: (typeof STAGES)[number]) =>
      stage !== 'cancelled' && STAGES.indexOf(stage) >= STAGES.indexOf(s)
    const caseworker = reached('assigned') ? random.pick(CASEWORKERS) : null
    const endAt = stage === 'concluded' || stage === 'cancelled' ? step(4) : null
    const source = r.upstream ? INTERVENTIONS : 'Tandem'
    rows.referrals.push([
      person.id,
      id,
      reference(r.code),
      r.serviceType,
      r.serviceName,
      r.pathway,
      r.providerId,
      r.providerName,
      stage,
      r.reason,
      sent.toISOString(),
      caseworker ? step(1).toISOString() : null,
      endAt?.toISOString() ?? null,
      endAt?.toISOString() ?? null,
      stage === 'cancelled' ? 'Needs met elsewhere' : stage === 'concluded' ? 'Completed' : null,
      source,
      r.upstream ? random.uuid() : null,
      r.upstream ? null : person.practitionerId,
      caseworker,
      sent.toISOString(),
      (endAt ?? sent).toISOString(),
    ])
    const update = (kind: string, status: string | null, note: string, at: Date, byProvider: boolean) =>
      rows.referral_updates.push([
        person.id,
        random.uuid(),
        id,
        kind,
        status,
        note,
        at.toISOString(),
        byProvider || r.upstream ? null : person.practitionerId,
        byProvider ? r.providerId : r.upstream ? null : region.probationId,
        source,
        at.toISOString(),
      ])
    update('status', 'sent', `Referral sent to ${r.providerName ?? 'the provider'}`, sent, false)
    if (caseworker) update('status', 'assigned', `Assigned to ${caseworker}`, step(1), true)
    if (reached('in_progress')) {
      update('status', 'in_progress', 'First session arranged', step(2), true)
      update(r.upstream ? 'session_feedback' : 'progress', null, 'Attended and engaged well', step(3), true)
    }
    if (stage === 'concluded') update('status', 'concluded', 'Service completed', endAt!, true)
    if (stage === 'cancelled') update('status', 'cancelled', 'Needs met elsewhere', endAt!, false)
  }
  if (person.housingNeed && random.chance(0.5))
    add({
      serviceType: 'housing',
      serviceName: null,
      pathway: 'accommodation',
      providerId: region.providerId,
      providerName: null,
      code: 'HO',
      reason: 'No settled address: needs supported accommodation while on supervision',
      upstream: false,
    })
  if (person.drugNeed && random.chance(0.4))
    add({
      serviceType: 'drug_treatment',
      serviceName: null,
      pathway: 'drugs_alcohol',
      providerId: region.healthId,
      providerName: null,
      code: 'DR',
      reason: 'Using daily: needs a structured treatment assessment',
      upstream: false,
    })
  if (random.chance(0.12)) {
    const [serviceName, serviceType, pathway, code] = random.pick(CRS)
    add({
      serviceType,
      serviceName,
      pathway,
      providerId: null,
      providerName: random.pick(CRS_PROVIDERS),
      code,
      reason: null,
      upstream: true,
    })
  }
}
