import { createHash } from 'node:crypto'
import { ConflictError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Queryable, Tx } from '../../platform/database/database.js'
import type { OutboxEvent, Subscriber } from '../../platform/outbox/outbox.js'
import { OGRS3_PUBLISHED_WEIGHTS, type Ogrs3Options } from './ogrs3.js'
import {
  OGRS3_CALCULATOR_VERSION,
  OGRS3_CATEGORIES,
  ogrs3For,
  tierCategories,
  tierFor,
  type Calculation,
} from './score-inputs.js'
import * as repo from './scores.repository.js'
import { Ogrs3Settings } from './scores.schema.js'
import { TIER_CALCULATOR_VERSION } from './tier.js'

export type { ScoreRow } from './scores.repository.js'

/**
 * Tandem events after which a person's OGRS3 or tier inputs may differ: a new sentence, custody
 * and release (the start of follow-up), registers, RoSH and MAPPA, RSR, a merge or unmerge
 * (which moves sentences between records), and upstream's own tier recalculation.
 */
export const SCORE_INPUT_EVENTS = [
  'person.created',
  'person.merged',
  'person.unmerged',
  'person.sentence.imported',
  'custody.received',
  'custody.released',
  'licence.activated',
  'sentence.dates-changed',
  'registration.added',
  'registration.updated',
  'registration.ended',
  'registration.deleted',
  'risk-scores.determined',
  'assessment.tier',
]

/** The OGRS3 weights in force (§1.6's disputed ones); the published weights if unreadable. */
export async function ogrs3Weights(db: Queryable) {
  const row = await repo.findScoreSettings(db, 'ogrs3')
  const parsed = Ogrs3Settings.safeParse(row?.settings)
  return {
    weights: parsed.success ? parsed.data : OGRS3_PUBLISHED_WEIGHTS,
    version: row?.version ?? 0,
    updatedAt: row?.updated_at ?? null,
  }
}

function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex')
}

function toNewScore<I, R>(
  kind: repo.ScoreKind,
  calculatorVersion: number,
  calculation: Calculation<I, R>,
  settings: unknown,
  categories: string[],
  headline: (result: R) => { score: number; band: string },
): Omit<repo.NewScore, 'personId' | 'cause' | 'causeEventId' | 'at'> {
  const calculated = calculation.status === 'calculated'
  const head = calculated ? headline(calculation.result) : null
  return {
    kind,
    calculatorVersion,
    status: calculation.status,
    inputs: calculation.inputs,
    settings,
    result: calculated ? calculation.result : null,
    missing: calculated ? [] : calculation.missing,
    score: head?.score ?? null,
    band: head?.band ?? null,
    categories,
    fingerprint: fingerprint([kind, calculatorVersion, calculation, settings, categories]),
  }
}

interface Cause {
  reason: string
  eventId: number | null
  at: Date
}

/**
 * Recalculates OGRS3 and tier from what Tandem holds now for each person (with what caused it),
 * and stores each score whose inputs or settings changed since it was last stored. Idempotent:
 * a redelivered event, or one that changed nothing the scores rest on, stores nothing. Set-based
 * reads, so a worker batch costs a few queries however many people it touches.
 */
export async function recalculateScores(tx: Tx, causes: Map<string, Cause>): Promise<void> {
  const personIds = [...causes.keys()]
  if (personIds.length === 0) return
  await repo.lockPersonScores(tx, personIds)
  const facts = await repo.findScoreFacts(tx, personIds)
  const { weights } = await ogrs3Weights(tx)
  const current = await repo.findCurrentFingerprints(tx, personIds)
  const changed: repo.NewScore[] = []
  for (const [personId, personFacts] of facts) {
    const scores = [
      toNewScore(
        'ogrs3',
        OGRS3_CALCULATOR_VERSION,
        ogrs3For(personFacts, weights),
        weights,
        OGRS3_CATEGORIES,
        (r) => ({ score: r.twoYear, band: r.band }),
      ),
      toNewScore(
        'tier',
        TIER_CALCULATOR_VERSION,
        tierFor(personFacts),
        {},
        tierCategories(personFacts),
        (r) => ({
          score: r.points,
          band: r.level,
        }),
      ),
    ]
    const cause = causes.get(personId)!
    for (const score of scores)
      if (current.get(personId)?.get(score.kind) !== score.fingerprint)
        changed.push({ ...score, personId, cause: cause.reason, causeEventId: cause.eventId, at: cause.at })
  }
  await repo.replaceScores(tx, changed)
}

/** Wired into the outbox worker: recalculates a person's scores when their inputs may have changed. */
export function scoreSubscriber(clock: Clock): Subscriber {
  // A merge or unmerge moves sentences and registers between two records: both may change.
  const peopleOf = (event: OutboxEvent) =>
    [event.personId, typeof event.payload.mergedId === 'string' ? event.payload.mergedId : null].filter(
      (id): id is string => id !== null,
    )
  // Once per person per batch, however many of their inputs the batch changed (the last event is the cause).
  const recalculate = (tx: Tx, events: OutboxEvent[]) => {
    const causes = new Map<string, Cause>()
    for (const event of events)
      for (const personId of peopleOf(event))
        causes.set(personId, { reason: event.type, eventId: event.id, at: clock.now() })
    return recalculateScores(tx, causes)
  }
  return {
    name: 'intelligence.scores',
    types: SCORE_INPUT_EVENTS,
    handle: (tx, event) => recalculate(tx, [event]),
    handleBatch: recalculate,
  }
}

/**
 * A person's scores as the actor may see them, with the tier upstream sent. Scores not yet
 * calculated, or calculated from inputs or weights that have since changed, are brought up to
 * date first. The read is audited.
 */
export async function viewScoresOfPerson(
  db: Db,
  actor: Actor,
  person: { id: string; categories: readonly string[] },
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    await recalculateScores(tx, new Map([[person.id, { reason: 'shown', eventId: null, at: clock.now() }]]))
    const scores = await repo.findScoresOfPerson(tx, actor, person.id)
    const upstream = person.categories.includes('risk') ? await repo.findUpstreamTier(tx, person.id) : null
    const categories = new Set(scores.flatMap((s) => s.categories))
    if (upstream) categories.add('risk')
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [person.id],
      categories: [...categories].sort(),
      origin,
      purpose: 'Scores: OGRS3 and tier, with their inputs',
      detail: { scores: scores.length },
    })
    const current = (kind: repo.ScoreKind) => scores.find((s) => s.kind === kind && !s.superseded_at) ?? null
    return {
      ogrs3: current('ogrs3'),
      tier: current('tier'),
      upstream,
      history: scores.filter((s) => s.superseded_at),
    }
  })
}

/** The OGRS3 weights in force, for the settings page. */
export async function viewScoreSettings(db: Db) {
  return ogrs3Weights(db)
}

/**
 * Changes the disputed OGRS3 weights. Stored scores keep the weights they were calculated with;
 * each person's OGRS3 is recalculated with the new ones on the next change or view.
 */
export async function changeScoreSettings(
  db: Db,
  actor: Actor,
  change: { settings: Ogrs3Options; basedOn: number },
  clock: Clock,
) {
  const saved = await repo.updateScoreSettings(db, {
    kind: 'ogrs3',
    settings: { ...change.settings },
    basedOn: change.basedOn,
    userId: actor.userId,
    at: clock.now(),
  })
  if (!saved) throw new ConflictError()
}
