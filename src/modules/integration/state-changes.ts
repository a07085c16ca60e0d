import type { Tx } from '../../platform/database/database.js'
import { londonDate } from '../../platform/views/format.js'
import { replacePrisonNumber } from '../people/identity.service.js'
import { applyReferralEvents } from '../referrals/referral-events.service.js'
import { ROSH_REGISTERS, type StateChange } from './event-mapping.js'
import * as repo from './state-changes.repository.js'

/**
 * Applies a batch's state changes in a few set-based statements. Each part of a person's
 * state (custody, each register type, prison number) has a clock: a change older than the
 * clock arrived late and is skipped, so state ends as the newest event left it whatever
 * order events arrive in. Changes to one person are applied in time order, in rounds.
 */

export interface PendingChange {
  personId: string
  at: Date
  change: StateChange
  sourceSystem: string
}

/** The clocked part of state a change touches; risk scores are history and need none. */
function aspectOf(change: StateChange): string | null {
  switch (change.type) {
    case 'received':
    case 'released':
    case 'licence-activated':
      return 'custody'
    case 'registration':
    case 'deregistration':
    case 'registration-deleted':
      return `register:${change.typeCode}`
    case 'prison-number-replaced':
      return 'prison-number'
    case 'risk-scores':
      return null
    // A referral orders its own events: its status only moves forward (referrals module).
    case 'referral':
      return null
  }
}

export async function applyStateChanges(
  tx: Tx,
  changes: PendingChange[],
  prisonName: (code: string) => string | null,
) {
  await repo.insertRiskScores(
    tx,
    changes.flatMap((c) =>
      c.change.type === 'risk-scores'
        ? c.change.scores.map((s) => ({ ...s, personId: c.personId, at: c.at, source: c.sourceSystem }))
        : [],
    ),
  )
  await applyReferralEvents(
    tx,
    changes.flatMap((c) =>
      c.change.type === 'referral'
        ? [{ personId: c.personId, at: c.at, sourceSystem: c.sourceSystem, facts: c.change }]
        : [],
    ),
  )
  const clocked = changes
    .map((c) => ({ ...c, aspect: aspectOf(c.change) }))
    .filter((c): c is PendingChange & { aspect: string } => c.aspect !== null)
    .sort((a, b) => a.at.getTime() - b.at.getTime())
  if (clocked.length === 0) return

  const keys = new Map(
    clocked.map((c) => [`${c.personId}|${c.aspect}`, { personId: c.personId, aspect: c.aspect }]),
  )
  const clocks = await repo.lockClocks(tx, [...keys.values()])
  const newest: PendingChange[] = []
  const moved = new Map<string, { personId: string; aspect: string; at: Date }>()
  for (const c of clocked) {
    const key = `${c.personId}|${c.aspect}`
    const clock = clocks.get(key)
    if (clock && c.at < clock) continue
    clocks.set(key, c.at)
    moved.set(key, { personId: c.personId, aspect: c.aspect, at: c.at })
    newest.push(c)
  }
  await repo.saveClocks(tx, [...moved.values()])

  // Round k holds each person's k-th change, so no statement sees one person twice.
  const rounds: PendingChange[][] = []
  const seen = new Map<string, number>()
  for (const c of newest) {
    const k = seen.get(c.personId) ?? 0
    seen.set(c.personId, k + 1)
    ;(rounds[k] ??= []).push(c)
  }
  for (const round of rounds) await applyRound(tx, round, prisonName)

  const touched = (codes: (code: string) => boolean) => [
    ...new Set(
      newest.filter((c) => 'typeCode' in c.change && codes(c.change.typeCode)).map((c) => c.personId),
    ),
  ]
  await repo.refreshRosh(
    tx,
    touched((code) => code in ROSH_REGISTERS),
    ROSH_REGISTERS,
  )
  await repo.refreshMappa(
    tx,
    touched((code) => code === 'MAPP'),
  )
}

async function applyRound(tx: Tx, round: PendingChange[], prisonName: (code: string) => string | null) {
  const of = <T extends StateChange['type']>(type: T) =>
    round.flatMap((c) =>
      c.change.type === type
        ? [
            {
              personId: c.personId,
              on: londonDate(c.at),
              change: c.change as Extract<StateChange, { type: T }>,
            },
          ]
        : [],
    )
  await repo.receiveIntoCustody(
    tx,
    of('received').map((r) => ({
      personId: r.personId,
      on: r.on,
      prisonCode: r.change.prisonCode,
      prisonName: r.change.prisonCode ? (prisonName(r.change.prisonCode) ?? r.change.prisonCode) : null,
    })),
  )
  await repo.releaseFromCustody(
    tx,
    of('released').map((r) => ({ personId: r.personId, on: r.on, reason: r.change.reason })),
  )
  await repo.putOnLicence(
    tx,
    of('licence-activated').map((r) => r.personId),
  )
  await repo.upsertRegistrations(
    tx,
    of('registration').map((r) => ({
      ...r.change,
      personId: r.personId,
      registeredOn: r.change.registeredOn ?? r.on,
    })),
  )
  await repo.endRegistrations(
    tx,
    of('deregistration').map((r) => ({ personId: r.personId, typeCode: r.change.typeCode, on: r.change.on })),
  )
  await repo.deleteRegistrations(
    tx,
    of('registration-deleted').map((r) => ({ personId: r.personId, ref: r.change.ref })),
  )
  for (const r of of('prison-number-replaced'))
    await replacePrisonNumber(tx, r.personId, r.change.from, r.change.to)
}
