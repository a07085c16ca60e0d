import { randomUUID } from 'node:crypto'
import type { Tx } from '../../platform/database/database.js'
import { humanise } from '../../platform/views/format.js'
import * as repo from './referral-events.repository.js'
import { serviceOfContract, STATUS_RANK, type ReferralStatus } from './referrals.policy.js'

/** What one upstream event says about a referral (Refer and Monitor an Intervention). */
export interface ReferralEventFacts {
  /** sent, assigned, ended and concluded move the referral on; feedback shows it under way. */
  stage: 'sent' | 'assigned' | 'ended' | 'concluded' | 'assessment-feedback' | 'session-feedback'
  eventType: string
  referralId: string | null
  reference: string | null
  contractType: string | null
  providerName: string | null
  assignedTo: string | null
  deliveryState: string | null
  url: string | null
  appointmentId: string | null
}

export interface ReferralEvent {
  personId: string
  at: Date
  sourceSystem: string
  facts: ReferralEventFacts
}

/** The status an event shows the referral has reached. */
function statusOf(f: ReferralEventFacts): ReferralStatus {
  switch (f.stage) {
    case 'sent':
      return 'sent'
    case 'assigned':
    case 'assessment-feedback':
      return 'assigned'
    case 'session-feedback':
      return 'in_progress'
    case 'ended':
      return 'ended'
    case 'concluded':
      return f.deliveryState?.toUpperCase() === 'CANCELLED' ? 'cancelled' : 'concluded'
  }
}

function noteOf(f: ReferralEventFacts): string | null {
  const state = f.deliveryState ? `Delivery state: ${humanise(f.deliveryState.toLowerCase())}` : null
  const appointment = f.appointmentId ? ` (nDelius appointment ${f.appointmentId})` : ''
  switch (f.stage) {
    case 'sent':
      return 'Referral sent to the provider'
    case 'assigned':
      return f.assignedTo ? `Assigned to ${f.assignedTo}` : 'Assigned to a caseworker'
    case 'assessment-feedback':
      return `Initial assessment feedback submitted${appointment}`
    case 'session-feedback':
      return `Session feedback submitted${appointment}`
    case 'ended':
    case 'concluded':
      return state
  }
}

const sameReferral = (
  e: ReferralEvent,
  r: { personId: string; sourceRef: string | null; reference: string },
) =>
  e.personId === r.personId &&
  ((!!e.facts.referralId && r.sourceRef === e.facts.referralId) ||
    (!!e.facts.reference && (r.reference === e.facts.reference || r.sourceRef === e.facts.reference)))

/**
 * Creates and moves on the referrals other systems' events describe, in the ingest's
 * transaction. Events are matched to a referral by the source's id or reference; a referral
 * only moves forward, keeps its earliest dates and adds each event to its history once, so a
 * redelivered or out-of-order event neither duplicates it nor takes it back. Events that name
 * no referral are left to the timeline.
 */
export async function applyReferralEvents(tx: Tx, events: ReferralEvent[]): Promise<void> {
  const named = events
    .filter((e) => e.facts.referralId || e.facts.reference)
    .sort((a, b) => a.at.getTime() - b.at.getTime())
  for (const source of new Set(named.map((e) => e.sourceSystem)))
    await applyFrom(
      tx,
      source,
      named.filter((e) => e.sourceSystem === source),
    )
}

interface Group {
  personId: string
  id: string
  sourceRef: string | null
  reference: string
  events: ReferralEvent[]
}

async function applyFrom(tx: Tx, source: string, events: ReferralEvent[]) {
  const keys = [...new Set(events.flatMap((e) => [e.facts.referralId, e.facts.reference]))].filter(
    (k): k is string => !!k,
  )
  const existing = await repo.lockReferrals(tx, source, [...new Set(events.map((e) => e.personId))], keys)
  const groups: Group[] = existing.map((r) => ({
    personId: r.person_id,
    id: r.id,
    sourceRef: r.source_ref,
    reference: r.reference,
    events: [],
  }))
  for (const e of events) {
    let group = groups.find((g) => sameReferral(e, g))
    if (!group) {
      const key = (e.facts.referralId ?? e.facts.reference)!
      group = {
        personId: e.personId,
        id: randomUUID(),
        sourceRef: key,
        reference: key,
        events: [],
      }
      groups.push(group)
    }
    // A referral first known by its id takes its reference when an event gives one.
    if (group.reference === group.sourceRef && e.facts.reference) group.reference = e.facts.reference
    group.events.push(e)
  }
  const touched = groups.filter((g) => g.events.length > 0)
  const agencies = await repo.findAgenciesNamed(tx, [
    ...new Set(touched.flatMap((g) => g.events.map((e) => e.facts.providerName ?? '')).filter(Boolean)),
  ])
  const rows = touched.map((g) => fold(g, agencies))
  const ids = await repo.upsertReferrals(tx, source, rows)
  for (const g of touched) g.id = ids.get(`${g.personId}|${g.sourceRef ?? g.reference}`) ?? g.id
  const seen = new Set<string>()
  await repo.insertUpdates(
    tx,
    source,
    touched.flatMap((g, i) =>
      g.events.flatMap((e) => {
        const sourceKey = `${e.facts.eventType}|${e.at.toISOString()}|${e.facts.appointmentId ?? ''}`
        if (seen.has(`${g.id}|${sourceKey}`)) return []
        seen.add(`${g.id}|${sourceKey}`)
        return [
          {
            personId: g.personId,
            referralId: g.id,
            kind: e.facts.stage.endsWith('feedback')
              ? e.facts.stage === 'session-feedback'
                ? ('session_feedback' as const)
                : ('assessment_feedback' as const)
              : ('status' as const),
            status: statusOf(e.facts),
            note: noteOf(e.facts),
            at: e.at,
            agencyId: rows[i]!.providerAgencyId,
            sourceKey,
          },
        ]
      }),
    ),
  )
}

/** One referral's events (oldest first) folded into the row they describe together. */
function fold(g: Group, agencies: Map<string, string>): repo.UpstreamReferral {
  const first = <T>(pick: (f: ReferralEventFacts) => T | null) =>
    g.events.map((e) => pick(e.facts)).find((v) => v !== null && v !== undefined) ?? null
  const at = (statuses: ReferralStatus[]) =>
    g.events.find((e) => statuses.includes(statusOf(e.facts)))?.at ?? null
  let furthest = g.events[0]!
  for (const e of g.events)
    if (STATUS_RANK[statusOf(e.facts)] >= STATUS_RANK[statusOf(furthest.facts)]) furthest = e
  const assigned = g.events.filter((e) => e.facts.stage === 'assigned').at(-1)
  const contract = first((f) => f.contractType)
  const service = serviceOfContract(contract)
  const providerName = first((f) => f.providerName)
  const ended = g.events.filter((e) => e.facts.stage === 'ended' || e.facts.stage === 'concluded')
  const state = ended.at(-1)?.facts.deliveryState
  return {
    personId: g.personId,
    id: g.id,
    reference: g.reference,
    serviceType: service.serviceType,
    serviceName: contract,
    pathway: service.pathway,
    providerAgencyId: providerName ? (agencies.get(providerName.toLowerCase()) ?? null) : null,
    providerName,
    status: statusOf(furthest.facts),
    sentAt: at(['sent']),
    assignedAt: assigned?.at ?? null,
    assignedTo: assigned?.facts.assignedTo ?? null,
    endedAt: at(['ended', 'cancelled']),
    concludedAt: at(['concluded', 'cancelled']),
    endReason: state ? humanise(state.toLowerCase()) : null,
    sourceRef: g.sourceRef ?? g.reference,
    sourceUrl: first((f) => f.url),
  }
}
