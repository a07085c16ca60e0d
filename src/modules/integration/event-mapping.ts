import type { DataCategory } from '../../platform/access/actor.js'
import { humanise } from '../../platform/views/format.js'
import type { ReferralEventFacts } from '../referrals/referral-events.service.js'
import { Undeliverable, type DomainEventMessage } from './domain-events.js'
import { BadDate, parseLocalDate } from './event-dates.js'

/**
 * What each HMPPS domain event means for Tandem, as data: one timeline item, the state it
 * changes, and the Tandem event it raises for rules, plans and webhooks. Pure, so every
 * mapping is tested without a database; the service applies the effects.
 */

export type StateChange =
  | { type: 'received'; prisonCode: string | null }
  | { type: 'released'; prisonCode: string | null; reason: string }
  | { type: 'licence-activated' }
  | {
      type: 'registration'
      ref: string
      typeCode: string
      typeDescription: string
      category: DataCategory
      registerCategory: string | null
      level: string | null
      registeredOn: string | null
    }
  | { type: 'deregistration'; typeCode: string; on: string }
  | { type: 'registration-deleted'; ref: string; typeCode: string }
  | { type: 'prison-number-replaced'; from: string; to: string }
  | { type: 'risk-scores'; scores: { kind: string; score: number | null; band: string | null }[] }
  | ({ type: 'referral' } & ReferralEventFacts)

export interface Effects {
  item: {
    kind: string
    category: DataCategory
    sourceSystem: string
    title: string
    summary: string | null
    pathway: string | null
    /** The prison the item is recorded against, when it is a prison's. */
    prisonCode: string | null
  }
  changes: StateChange[]
  /** The Tandem event raised for subscribers. */
  publish: string
}

type Mapper = (event: DomainEventMessage, prisonName: (code: string) => string) => Effects

const text = (event: DomainEventMessage, key: string): string | null => {
  const value = event.info[key] ?? (event.info.properties as Record<string, unknown> | undefined)?.[key]
  if (value === undefined || value === null || value === '') return null
  return String(value)
}

const required = (event: DomainEventMessage, key: string): string => {
  const value = text(event, key)
  if (value === null) throw new Undeliverable(`additionalInformation.${key} is missing`)
  return value
}

const number = (event: DomainEventMessage, key: string): number | null => {
  const value = text(event, key)
  if (value === null) return null
  const n = Number(value)
  if (!Number.isFinite(n)) throw new Undeliverable(`additionalInformation.${key} is not a number`)
  return n
}

const localDate = (event: DomainEventMessage, key: string): string | null => {
  const value = event.info[key]
  if (value === undefined || value === null || value === '') return null
  try {
    return parseLocalDate(value)
  } catch (error) {
    if (error instanceof BadDate) throw new Undeliverable(`additionalInformation.${key}: ${error.message}`)
    throw error
  }
}

/** 'RELEASED_TO_HOSPITAL' → 'Released to hospital'. */
const sentenceCase = (code: string) => humanise(code.toLowerCase())

function item(
  kind: string,
  category: DataCategory,
  sourceSystem: string,
  title: string,
  extra: { summary?: string | null; pathway?: string | null; prisonCode?: string | null } = {},
): Effects['item'] {
  return {
    kind,
    category,
    sourceSystem,
    title,
    summary: extra.summary ?? null,
    pathway: extra.pathway ?? null,
    prisonCode: extra.prisonCode ?? null,
  }
}

/** Releases that end custody; the others (court, temporary absence, transfer) do not. */
const ENDS_CUSTODY = new Set(['RELEASED', 'RELEASED_TO_HOSPITAL'])

const received: Mapper = (event, prisonName) => {
  const prison = text(event, 'prisonId')
  const reason = text(event, 'reason')
  return {
    item: item(
      'custody.received',
      'sentence',
      'NOMIS',
      `Received into ${prison ? prisonName(prison) : 'prison'}`,
      {
        summary: [reason && sentenceCase(reason), text(event, 'details')].filter(Boolean).join('. ') || null,
        prisonCode: prison,
      },
    ),
    changes: [{ type: 'received', prisonCode: prison }],
    publish: 'custody.received',
  }
}

const released: Mapper = (event, prisonName) => {
  const prison = text(event, 'prisonId')
  const reason = text(event, 'reason') ?? 'UNKNOWN'
  const from = prison ? prisonName(prison) : 'prison'
  const titles: Record<string, string> = {
    RELEASED: `Released from ${from}`,
    RELEASED_TO_HOSPITAL: `Released from ${from} to hospital`,
    TEMPORARY_ABSENCE_RELEASE: `Temporary release from ${from}`,
    SENT_TO_COURT: `Sent to court from ${from}`,
    TRANSFERRED: `Transferred out of ${from}`,
  }
  return {
    item: item('custody.released', 'sentence', 'NOMIS', titles[reason] ?? `Left ${from}`, {
      summary: text(event, 'details'),
      prisonCode: prison,
    }),
    changes: ENDS_CUSTODY.has(reason) ? [{ type: 'released', prisonCode: prison, reason }] : [],
    publish: ENDS_CUSTODY.has(reason) ? 'custody.released' : 'custody.movement',
  }
}

/** Register types that set the identity bar: MAPPA and the ROSH levels. */
export const ROSH_REGISTERS: Record<string, 'low' | 'medium' | 'high' | 'very_high'> = {
  RLRH: 'low',
  RMRH: 'medium',
  RHRH: 'high',
  RVHR: 'very_high',
}
const FAMILY_REGISTERS = new Set(['CHRG', 'CPPC', 'RCCO', 'RCPR', 'RCHD'])

function registerCategory(typeCode: string): DataCategory {
  return FAMILY_REGISTERS.has(typeCode) ? 'family' : 'risk'
}

const registration =
  (verb: 'added' | 'updated'): Mapper =>
  (event) => {
    const typeCode = required(event, 'registerTypeCode')
    const description = text(event, 'registerTypeDescription') ?? typeCode
    const level = text(event, 'registrationLevelDescription')
    const category = text(event, 'registrationCategoryDescription')
    return {
      item: item(
        `registration.${verb}`,
        registerCategory(typeCode),
        'nDelius',
        `Registration ${verb}: ${description}`,
        {
          summary:
            [category && `Category: ${category}`, level && `Level: ${level}`].filter(Boolean).join('. ') ||
            null,
        },
      ),
      changes: [
        {
          type: 'registration',
          ref: required(event, 'registrationId'),
          typeCode,
          typeDescription: description,
          category: registerCategory(typeCode),
          registerCategory: text(event, 'registrationCategoryCode'),
          level: text(event, 'registrationLevelCode'),
          registeredOn: localDate(event, 'registrationDate') ?? localDate(event, 'createdDateAndTime'),
        },
      ],
      publish: `registration.${verb}`,
    }
  }

const deregistered: Mapper = (event) => {
  const typeCode = required(event, 'registerTypeCode')
  const description = text(event, 'registerTypeDescription') ?? typeCode
  return {
    item: item('registration.ended', registerCategory(typeCode), 'nDelius', `Deregistered: ${description}`),
    changes: [
      {
        type: 'deregistration',
        typeCode,
        on: localDate(event, 'deregistrationDate') ?? parseLocalDate(event.occurredAt.toISOString()),
      },
    ],
    publish: 'registration.ended',
  }
}

const registrationDeleted: Mapper = (event) => {
  const typeCode = required(event, 'registerTypeCode')
  return {
    item: item(
      'registration.deleted',
      registerCategory(typeCode),
      'nDelius',
      `Registration deleted: ${text(event, 'registerTypeDescription') ?? typeCode}`,
      { summary: 'Recorded in error and removed in nDelius' },
    ),
    changes: [{ type: 'registration-deleted', ref: required(event, 'registrationId'), typeCode }],
    publish: 'registration.deleted',
  }
}

const rsr: Mapper = (event) => {
  const scores = [
    ['rsr', 'RSRScore', 'RSRBand'],
    ['osp_c', 'OSPContactScore', 'OSPContactBand'],
    ['osp_dc', 'OSPDirectContactScore', 'OSPDirectContactBand'],
    ['osp_i', 'OSPIndecentScore', 'OSPIndecentBand'],
    ['osp_iic', 'OSPIndirectIndecentScore', 'OSPIndirectIndecentBand'],
  ]
    .map(([kind, score, band]) => ({ kind: kind!, score: number(event, score!), band: text(event, band!) }))
    .filter((s) => s.score !== null || s.band !== null)
  const rsrScore = scores.find((s) => s.kind === 'rsr')
  return {
    item: item('assessment.risk-scores', 'risk', 'OASys', 'Risk scores calculated', {
      summary: rsrScore
        ? `RSR ${rsrScore.score ?? '–'}%${rsrScore.band ? ` (${rsrScore.band.toLowerCase()})` : ''}`
        : null,
    }),
    changes: scores.length > 0 ? [{ type: 'risk-scores', scores }] : [],
    publish: 'risk-scores.determined',
  }
}

const ogrsManual: Mapper = (event) => {
  const oneYear = number(event, 'OGRS3Yr1')
  const twoYear = number(event, 'OGRS3Yr2')
  return {
    item: item('assessment.ogrs', 'risk', 'nDelius', 'OGRS3 calculated manually', {
      summary: `OGRS3 ${oneYear ?? '–'}% at one year, ${twoYear ?? '–'}% at two years`,
    }),
    changes: [
      {
        type: 'risk-scores',
        scores: [
          { kind: 'ogrs3_1yr', score: oneYear, band: null },
          { kind: 'ogrs3_2yr', score: twoYear, band: null },
        ],
      },
    ],
    publish: 'risk-scores.determined',
  }
}

const merged: Mapper = (event) => {
  const from = required(event, 'removedNomsNumber').toUpperCase()
  const to = required(event, 'nomsNumber').toUpperCase()
  return {
    item: item('identity.merged', 'identity', 'NOMIS', `Prison records merged: ${from} into ${to}`),
    changes: [{ type: 'prison-number-replaced', from, to }],
    publish: 'identity.prison-number-changed',
  }
}

/** A mapping that only adds to the timeline and raises a Tandem event. */
const story =
  (
    kind: string,
    category: DataCategory,
    sourceSystem: string,
    title: string | ((event: DomainEventMessage) => string),
    summary: (event: DomainEventMessage) => string | null = () => null,
    pathway: string | null = null,
  ): Mapper =>
  (event) => ({
    item: item(kind, category, sourceSystem, typeof title === 'string' ? title : title(event), {
      summary: summary(event),
      pathway,
    }),
    changes: [],
    publish: kind,
  })

const reference = (event: DomainEventMessage) => {
  const ref = text(event, 'referralReference') ?? text(event, 'referralURN')
  return ref ? `Referral ${ref}` : null
}
/** A referral event: its story, and the referral it creates or moves on (in the referrals module). */
const referral =
  (stage: ReferralEventFacts['stage'], mapper: Mapper): Mapper =>
  (event, prisonName) => {
    const urn = text(event, 'referralURN')
    return {
      ...mapper(event, prisonName),
      changes: [
        {
          type: 'referral',
          stage,
          eventType: event.eventType,
          referralId: text(event, 'referralId') ?? urn?.split(':').at(-1) ?? null,
          reference: text(event, 'referralReference'),
          contractType: text(event, 'contractTypeName'),
          providerName: text(event, 'primeProviderName'),
          assignedTo: text(event, 'assignedTo'),
          deliveryState: text(event, 'deliveryState'),
          url: text(event, 'referralProbationUserURL') ?? event.detailUrl ?? null,
          appointmentId: text(event, 'deliusAppointmentId'),
        },
      ],
    }
  }
const withState = (key: string) => (event: DomainEventMessage) => {
  const state = text(event, key)
  return state ? sentenceCase(state) : null
}

/** Every event type Tandem applies; any other type is kept as a dead letter. */
export const MAPPINGS: Record<string, Mapper> = {
  'prison-offender-events.prisoner.received': received,
  'prisoner-offender-search.prisoner.received': received,
  'prison-offender-events.prisoner.released': released,
  'prisoner-offender-search.prisoner.released': released,
  'prison-offender-events.prisoner.sentence-dates-changed': story(
    'sentence.dates-changed',
    'sentence',
    'NOMIS',
    'Sentence dates recalculated in prison',
  ),
  'prison-offender-events.prisoner.merged': merged,
  'prison-offender-events.prisoner.booking.moved': story(
    'custody.booking-moved',
    'sentence',
    'NOMIS',
    (e) => `Prison booking moved from ${text(e, 'movedFromNomsNumber') ?? 'another record'}`,
  ),
  'probation-case.engagement.created': story('case.created', 'sentence', 'nDelius', 'Probation case created'),
  'probation-case.prison-identifier.added': story(
    'identity.prison-number-added',
    'identity',
    'nDelius',
    (e) => `Prison number ${e.nomsNumber ?? ''} added in nDelius`.replace('  ', ' '),
    (e) => (text(e, 'bookingNumber') ? `Booking ${text(e, 'bookingNumber')}` : null),
  ),
  'person.community.manager.allocated': story(
    'allocation.changed',
    'identity',
    'nDelius',
    'Community manager allocated',
  ),
  'event.manager.allocated': story('allocation.changed', 'identity', 'nDelius', 'Event manager allocated'),
  'offender-management.pom.allocated': story(
    'allocation.changed',
    'identity',
    'Manage POM cases',
    'Prison offender manager allocated',
  ),
  'probation-case.registration.added': registration('added'),
  'probation-case.registration.updated': registration('updated'),
  'probation-case.registration.deregistered': deregistered,
  'probation-case.registration.deleted': registrationDeleted,
  'tier.calculation.complete': story('assessment.tier', 'risk', 'Tier service', 'Tier recalculated'),
  'risk-assessment.scores.rsr.determined': rsr,
  'probation-case.risk-scores.ogrs.manual-calculation': ogrsManual,
  'create-and-vary-a-licence.licence.activated': () => ({
    item: item('licence.activated', 'sentence', 'Create and vary a licence', 'Licence activated'),
    changes: [{ type: 'licence-activated' }],
    publish: 'licence.activated',
  }),
  'create-and-vary-a-licence.licence.inactivated': story(
    'licence.inactivated',
    'sentence',
    'Create and vary a licence',
    'Licence inactivated',
  ),
  'prison-recall.recommendation.consideration': story(
    'recall.considered',
    'sentence',
    'Consider a recall',
    'Recall being considered',
  ),
  'prison-recall.recommendation.management-oversight': story(
    'recall.management-oversight',
    'sentence',
    'Consider a recall',
    'Recall decision: management oversight recorded',
    (e) => text(e, 'contactOutcome'),
  ),
  'prison-recall.recommendation.deleted': story(
    'recall.recommendation-deleted',
    'sentence',
    'Consider a recall',
    'Recall recommendation deleted',
  ),
  'pre-sentence.report.started': story(
    'court.report-started',
    'sentence',
    'Pre-sentence reports',
    'Pre-sentence report started',
  ),
  'pre-sentence.report.completed': story(
    'court.report-completed',
    'sentence',
    'Pre-sentence reports',
    'Pre-sentence report completed',
  ),
  'intervention.referral.sent': referral(
    'sent',
    story(
      'referral.sent',
      'supervision',
      'Refer and monitor an intervention',
      'Intervention referral sent',
      reference,
    ),
  ),
  'intervention.referral.assigned': referral(
    'assigned',
    story(
      'referral.assigned',
      'supervision',
      'Refer and monitor an intervention',
      'Intervention referral assigned to a caseworker',
      reference,
    ),
  ),
  'intervention.referral.ended': referral(
    'ended',
    story(
      'referral.ended',
      'supervision',
      'Refer and monitor an intervention',
      'Intervention referral ended',
      withState('deliveryState'),
    ),
  ),
  'intervention.referral.concluded': referral(
    'concluded',
    story(
      'referral.concluded',
      'supervision',
      'Refer and monitor an intervention',
      'Intervention concluded',
      withState('deliveryState'),
    ),
  ),
  'intervention.session-appointment.session-feedback-submitted': referral(
    'session-feedback',
    story(
      'referral.session-feedback',
      'supervision',
      'Refer and monitor an intervention',
      'Intervention session feedback submitted',
      reference,
    ),
  ),
  'intervention.initial-assessment-appointment.session-feedback-submitted': referral(
    'assessment-feedback',
    story(
      'referral.session-feedback',
      'supervision',
      'Refer and monitor an intervention',
      'Intervention initial assessment feedback submitted',
      reference,
    ),
  ),
  'approved-premises.booking.made': accommodation(
    'accommodation.booking-made',
    'CAS1',
    'Approved premises placement booked',
  ),
  'approved-premises.booking.cancelled': accommodation(
    'accommodation.booking-cancelled',
    'CAS1',
    'Approved premises placement cancelled',
  ),
  'approved-premises.person.arrived': accommodation(
    'accommodation.arrived',
    'CAS1',
    'Arrived at approved premises',
  ),
  'approved-premises.person.departed': accommodation(
    'accommodation.departed',
    'CAS1',
    'Left approved premises',
  ),
  'applications.cas2.application.submitted': accommodation(
    'accommodation.application-submitted',
    'CAS2',
    'Application for bail or home detention curfew accommodation (CAS2) submitted',
  ),
  'applications.cas2.application.status-updated': accommodation(
    'accommodation.application-updated',
    'CAS2',
    'CAS2 application status updated',
  ),
  'accommodation.cas3.referral.submitted': accommodation(
    'accommodation.referral-submitted',
    'CAS3',
    'Referral for temporary accommodation (CAS3) submitted',
  ),
  'accommodation.cas3.booking.confirmed': accommodation(
    'accommodation.booking-confirmed',
    'CAS3',
    'Temporary accommodation (CAS3) booking confirmed',
  ),
  'accommodation.cas3.person.arrived': accommodation(
    'accommodation.arrived',
    'CAS3',
    'Arrived at temporary accommodation (CAS3)',
  ),
  'accommodation.cas3.person.departed': accommodation(
    'accommodation.departed',
    'CAS3',
    'Left temporary accommodation (CAS3)',
  ),
}

function accommodation(kind: string, service: string, title: string): Mapper {
  return story(kind, 'accommodation', service, title, () => null, 'accommodation')
}

/** What an event means, or Undeliverable when Tandem does not know its type. */
export function mapEvent(
  event: DomainEventMessage,
  prisonName: (code: string) => string = (c) => c,
): Effects {
  const mapper = MAPPINGS[event.eventType]
  if (!mapper) throw new Undeliverable(`Tandem does not handle the event type ${event.eventType}`)
  return mapper(event, prisonName)
}
