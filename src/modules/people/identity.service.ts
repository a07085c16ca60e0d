import { NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import { sql } from 'kysely'
import type { Db, Queryable, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { canonicalCro, canonicalPnc, CRN, NOMS_NUMBER } from './identifiers.js'
import * as repo from './identity.repository.js'
import { normaliseName, scoreMatch, type IdentityFacts } from './matching.js'
import * as merges from './merge.repository.js'

/** A record about a person as another system sends it. */
export interface IncomingRecord {
  sourceSystem: string
  sourceRef: string
  agencyId: string | null
  crn: string | null
  nomsNumber: string | null
  pncNumber: string | null
  croNumber: string | null
  firstName: string
  lastName: string
  dateOfBirth: string | null
  gender: string | null
  postcode: string | null
}

export type Arrival =
  | { outcome: 'duplicate'; personId: string | null }
  | { outcome: 'identifier' | 'automatic'; personId: string; score?: number }
  | { outcome: 'new'; personId: string }
  | { outcome: 'pending'; personId: null; candidates: number }

/** Checks identifiers' formats and check letters, and returns them in canonical form. */
export function canonicalIdentifiers(record: IncomingRecord): IncomingRecord {
  const problems: { field: string; message: string }[] = []
  const crn = record.crn?.trim().toUpperCase() || null
  const noms = record.nomsNumber?.trim().toUpperCase() || null
  const pnc = record.pncNumber?.trim() ? canonicalPnc(record.pncNumber) : null
  const cro = record.croNumber?.trim() ? canonicalCro(record.croNumber) : null
  if (crn && !CRN.test(crn))
    problems.push({ field: 'crn', message: 'CRN must be a letter and six digits, like X123456' })
  if (noms && !NOMS_NUMBER.test(noms))
    problems.push({ field: 'nomsNumber', message: 'Prison number must be like A1234BC' })
  if (record.pncNumber?.trim() && !pnc)
    problems.push({
      field: 'pncNumber',
      message: 'PNC number is not valid: check the year, serial and check letter',
    })
  if (record.croNumber?.trim() && !cro)
    problems.push({
      field: 'croNumber',
      message: 'CRO number is not valid: check the serial, year and check letter',
    })
  if (problems.length) throw new ValidationError(problems)
  return { ...record, crn, nomsNumber: noms, pncNumber: pnc, croNumber: cro }
}

function identifiersOf(record: IncomingRecord): repo.Identifier[] {
  const ids: repo.Identifier[] = []
  if (record.crn) ids.push({ type: 'crn', value: record.crn })
  if (record.nomsNumber) ids.push({ type: 'noms', value: record.nomsNumber })
  if (record.pncNumber) ids.push({ type: 'pnc', value: record.pncNumber })
  if (record.croNumber) ids.push({ type: 'cro', value: record.croNumber })
  return ids
}

function factsOf(record: IncomingRecord): IdentityFacts {
  return { ...record }
}

/**
 * Who a record could be, without changing anything: the people holding any of its
 * identifiers, and the probabilistic candidates ranked by score (best first).
 */
export async function proposeMatch(tx: Tx, incoming: IncomingRecord) {
  const record = canonicalIdentifiers(incoming)
  const holders = [
    ...new Set((await repo.findByIdentifiers(tx, identifiersOf(record))).map((h) => h.person_id)),
  ]
  const ranked =
    holders.length > 0
      ? []
      : (await repo.findCandidates(tx, factsOf(record)))
          .map((candidate) => ({ candidate, score: scoreMatch(factsOf(record), candidate) }))
          .sort((a, b) => b.score.total - a.score.total)
  return { holders, ranked }
}

/**
 * Takes in a record from another system and decides who it is about: exact identifiers
 * first; otherwise the best probabilistic match links automatically above the high
 * threshold, waits for review in the middle band, and below it opens a new person (when the
 * record has a CRN: Tandem opens people for probation cases). Idempotent by source reference.
 */
export async function receiveRecord(
  db: Db,
  actor: Actor | null,
  incoming: IncomingRecord,
  origin: Origin,
): Promise<Arrival> {
  const record = canonicalIdentifiers(incoming)
  const identifiers = identifiersOf(record)
  return db.transaction().execute(async (tx) => {
    await repo.lockKeys(tx, [
      ...identifiers.map((i) => `${i.type}:${i.value}`),
      `record:${record.sourceSystem}/${record.sourceRef}`,
    ])
    const seen = await repo.findSourceRecord(tx, record.sourceSystem, record.sourceRef)
    if (seen) return { outcome: 'duplicate', personId: seen.person_id }

    const { holders, ranked } = await proposeMatch(tx, record)
    const score = ranked[0]?.score
    let arrival: Arrival
    if (holders.length > 0) {
      arrival = { outcome: 'identifier', personId: holders[0]! }
    } else {
      const best = ranked[0]
      if (best && best.score.band === 'automatic') {
        arrival = { outcome: 'automatic', personId: best.candidate.id, score: best.score.total }
      } else if (best && best.score.band === 'review') {
        const candidates = ranked.filter((r) => r.score.band !== 'none').slice(0, 3)
        const source = await saveRecord(tx, record, null, 'pending', best.score.total)
        for (const r of candidates) {
          await repo.insertReview(tx, {
            sourceRecordId: source,
            candidateId: r.candidate.id,
            score: r.score.total,
            explanation: r.score.comparisons,
          })
        }
        await audit(
          tx,
          actor,
          origin,
          candidates.map((r) => r.candidate.id),
          'Identity matching: record queued for review',
        )
        return { outcome: 'pending', personId: null, candidates: candidates.length }
      } else if (record.crn) {
        const person = await createPerson(tx, record)
        arrival = { outcome: 'new', personId: person }
      } else {
        // No CRN and no one like them: kept, unmatched, until a probation record arrives.
        await saveRecord(tx, record, null, 'pending', score?.total ?? null)
        return { outcome: 'pending', personId: null, candidates: 0 }
      }
    }
    const sourceId = await saveRecord(tx, record, arrival.personId, arrival.outcome, score?.total ?? null)
    await linkRecord(tx, arrival.personId, record, sourceId, arrival.outcome)
    if (holders.length > 1) {
      // One record, two people: they are probably the same person; a reviewer decides.
      for (const other of holders.slice(1)) {
        const [facts] = await repo.findFacts(tx, [other])
        const explained = facts ? scoreMatch(factsOf(record), facts) : null
        await repo.insertReview(tx, {
          sourceRecordId: sourceId,
          candidateId: other,
          score: explained?.total ?? 0,
          explanation: explained?.comparisons ?? [],
        })
      }
    }
    await audit(
      tx,
      actor,
      origin,
      [arrival.personId, ...holders.slice(1)],
      `Identity matching: ${arrival.outcome}`,
    )
    return arrival
  })
}

async function saveRecord(
  tx: Tx,
  record: IncomingRecord,
  personId: string | null,
  outcome: Parameters<typeof repo.setSourceRecordPerson>[3],
  score: number | null,
) {
  const { id } = await repo.insertSourceRecord(tx, {
    person_id: personId,
    source_system: record.sourceSystem,
    source_ref: record.sourceRef,
    agency_id: record.agencyId,
    crn: record.crn,
    noms_number: record.nomsNumber,
    pnc_number: record.pncNumber,
    cro_number: record.croNumber,
    first_name: record.firstName,
    last_name: record.lastName,
    date_of_birth: record.dateOfBirth,
    gender: record.gender,
    postcode: record.postcode,
    match_outcome: outcome,
    match_score: score,
  })
  return id
}

async function audit(tx: Tx, actor: Actor | null, origin: Origin, personIds: string[], purpose: string) {
  await recordAudit(tx, {
    actor,
    actorLabel: origin.route,
    action: 'create',
    personIds,
    categories: ['identity'],
    origin,
    purpose,
  })
}

async function createPerson(tx: Tx, record: IncomingRecord): Promise<string> {
  if (!record.agencyId)
    throw new ValidationError([
      { field: 'agencyId', message: 'A new person needs the agency that holds their case' },
    ])
  const person = await repo.insertPerson(tx, {
    crn: record.crn!,
    first_name: record.firstName,
    last_name: record.lastName,
    date_of_birth: record.dateOfBirth ?? '1900-01-01',
    gender: record.gender ?? 'not_known',
    lead_agency_id: record.agencyId,
    lead_team_id: null,
    noms_number: null,
    pnc_number: null,
    cro_number: null,
    middle_names: null,
    ethnicity: null,
    nationality: null,
    preferred_language: null,
    phone: null,
    email: null,
    region_id: null,
    pdu_id: null,
    prison_code: null,
    rosh_level: null,
    mappa_category: null,
    mappa_level: null,
    tier: null,
    communication_needs: null,
    merged_into: null,
  })
  await publish(tx, { type: 'person.created', personId: person.id, payload: { crn: person.crn } })
  return person.id
}

/**
 * Adds what a record tells us to the person it was matched to, keeping its provenance: its
 * identifiers, identifiers the person lacked, its name as an alias if it differs, its postcode
 * as an address if new, and an item on the timeline.
 */
async function linkRecord(tx: Tx, personId: string, record: IncomingRecord, sourceId: string, how: string) {
  await repo.insertIdentifiers(tx, personId, identifiersOf(record), sourceId)
  await repo.fillMissingIdentifiers(tx, personId, record)
  const [facts] = await repo.findFacts(tx, [personId])
  if (facts) {
    const names = [facts, ...(facts.aliases ?? [])].map(
      (n) => `${normaliseName(n.firstName)} ${normaliseName(n.lastName)}`,
    )
    if (!names.includes(`${normaliseName(record.firstName)} ${normaliseName(record.lastName)}`)) {
      await repo.addAlias(tx, personId, record, sourceId)
    }
    if (
      record.postcode &&
      facts.postcode?.replace(/\s/g, '') !== record.postcode.toUpperCase().replace(/\s/g, '')
    ) {
      await repo.insertAddress(
        tx,
        personId,
        record.postcode.toUpperCase(),
        sourceId,
        new Date().toISOString().slice(0, 10),
      )
    }
  }
  if (record.agencyId) {
    await tx
      .insertInto('timeline_events')
      .values({
        person_id: personId,
        occurred_at: new Date(),
        kind: 'identity.record-linked',
        category: 'identity',
        agency_id: record.agencyId,
        source_system: record.sourceSystem,
        title: `Record ${record.sourceRef} from ${record.sourceSystem} linked`,
        summary:
          how === 'identifier'
            ? 'Matched by identifier'
            : how === 'new'
              ? 'New person'
              : `Matched by name and details (${how})`,
        pathway: null,
      })
      .execute()
  }
  await publish(tx, { type: 'person.record.linked', personId, payload: { sourceRecordId: sourceId, how } })
}

/** One review, side by side: the record and the candidate, with the score explained. */
export async function reviewDetail(db: Db, actor: Actor, id: string, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const review = await repo.findReview(tx, id)
    if (!review) return null
    const [candidate] = await repo.findFacts(tx, [review.candidate_person_id])
    const recordPerson = review.record_person_id
      ? (await repo.findFacts(tx, [review.record_person_id]))[0]
      : undefined
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [review.candidate_person_id, ...(review.record_person_id ? [review.record_person_id] : [])],
      categories: ['identity'],
      origin,
      purpose: 'Identity matching review',
    })
    return { review, candidate, recordPerson }
  })
}

/**
 * Records a reviewer's decision. "Same": the record joins the candidate (or, if the record
 * already belongs to someone, the two people are merged). "Different": if nothing else is
 * pending for the record it becomes a new person (when it has a CRN).
 */
export async function decideReview(
  db: Db,
  actor: Actor,
  id: string,
  decision: 'same' | 'different',
  origin: Origin,
) {
  const outcome = await db.transaction().execute(async (tx) => {
    const review = await repo.findReview(tx, id)
    if (!review || !(await repo.decideReview(tx, id, decision, actor.userId)))
      throw new NotFoundError('That review has already been decided')
    const record: IncomingRecord = {
      sourceSystem: review.source_system,
      sourceRef: review.source_ref,
      agencyId: review.agency_id,
      crn: review.crn,
      nomsNumber: review.noms_number,
      pncNumber: review.pnc_number,
      croNumber: review.cro_number,
      firstName: review.first_name,
      lastName: review.last_name,
      dateOfBirth: review.date_of_birth,
      gender: review.gender,
      postcode: review.postcode,
    }
    await audit(tx, actor, origin, [review.candidate_person_id], `Identity matching review: ${decision}`)
    if (decision === 'same') {
      await repo.closeOtherReviews(tx, review.source_record_id, id, actor.userId)
      if (review.record_person_id)
        return { merge: { survivor: review.candidate_person_id, merged: review.record_person_id } }
      await repo.setSourceRecordPerson(tx, review.source_record_id, review.candidate_person_id, 'reviewed')
      await linkRecord(tx, review.candidate_person_id, record, review.source_record_id, 'reviewed')
      return { personId: review.candidate_person_id }
    }
    if (
      !review.record_person_id &&
      record.crn &&
      (await repo.countPendingReviews(tx, review.source_record_id)) === 0
    ) {
      const personId = await createPerson(tx, record)
      await repo.setSourceRecordPerson(tx, review.source_record_id, personId, 'new')
      await linkRecord(tx, personId, record, review.source_record_id, 'new')
      return { personId }
    }
    return {}
  })
  if (outcome.merge) {
    await mergePeople(
      db,
      actor,
      outcome.merge.survivor,
      outcome.merge.merged,
      'A reviewer decided two records are one person',
      origin,
    )
  }
  return outcome
}

/**
 * Merges one person into another. Every row of the merged person moves to the survivor and
 * the keys of what moved are kept, so unmerging restores both exactly; the merged person's
 * record remains, pointing at the survivor, so its CRN and history still lead somewhere.
 */
export async function mergePeople(
  db: Db,
  actor: Actor,
  survivorId: string,
  mergedId: string,
  reason: string,
  origin: Origin,
) {
  if (survivorId === mergedId)
    throw new ValidationError([{ field: 'mergedCrn', message: 'Choose two different people to merge' }])
  return db.transaction().execute(async (tx) => {
    const [survivor, merged] = await Promise.all([
      repo.findPersonRow(tx, survivorId),
      repo.findPersonRow(tx, mergedId),
    ])
    if (!survivor || !merged || survivor.merged_into || merged.merged_into)
      throw new NotFoundError('One of those people has already been merged')
    const moved = await merges.moveRows(tx, mergedId, survivorId)
    await merges.setMergedInto(tx, mergedId, survivorId)
    const merge = await merges.insertMerge(tx, { survivorId, mergedId, reason, moved, by: actor.userId })
    await timelineNote(tx, survivor.id, survivor.lead_agency_id, `Merged with ${merged.crn}`, reason)
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [survivorId, mergedId],
      categories: ['identity'],
      origin,
      purpose: `Merge: ${reason}`,
    })
    await publish(tx, {
      type: 'person.merged',
      personId: survivorId,
      payload: { mergedId, mergeId: merge.id },
    })
    return merge.id
  })
}

/** Undoes a merge: the rows it moved go back and the merged person stands alone again. */
export async function unmergePeople(db: Db, actor: Actor, mergeId: string, reason: string, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const merge = await merges.findMerge(tx, mergeId)
    if (!merge || !(await merges.markUnmerged(tx, mergeId, actor.userId)))
      throw new NotFoundError('That merge has already been undone')
    await merges.moveRowsBack(tx, merge.moved as merges.MovedRows, merge.survivor_id, merge.merged_id)
    await merges.setMergedInto(tx, merge.merged_id, null)
    const [survivor, merged] = await Promise.all([
      repo.findPersonRow(tx, merge.survivor_id),
      repo.findPersonRow(tx, merge.merged_id),
    ])
    await timelineNote(
      tx,
      merge.survivor_id,
      survivor!.lead_agency_id,
      `Unmerged from ${merged!.crn}`,
      reason,
    )
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [merge.survivor_id, merge.merged_id],
      categories: ['identity'],
      origin,
      purpose: `Unmerge: ${reason}`,
    })
    await publish(tx, {
      type: 'person.unmerged',
      personId: merge.survivor_id,
      payload: { mergedId: merge.merged_id, mergeId },
    })
  })
}

async function timelineNote(tx: Tx, personId: string, agencyId: string, title: string, summary: string) {
  await tx
    .insertInto('timeline_events')
    .values({
      person_id: personId,
      occurred_at: new Date(),
      kind: 'identity.changed',
      category: 'identity',
      agency_id: agencyId,
      source_system: 'Tandem',
      title,
      summary,
      pathway: null,
    })
    .execute()
}

/** Merges two people named by CRN, for an administrator who has established they are one person. */
export async function mergeByCrn(
  db: Db,
  actor: Actor,
  survivorCrn: string,
  mergedCrn: string,
  reason: string,
  origin: Origin,
) {
  const [survivor, merged] = await Promise.all([
    repo.findLivingPersonByCrn(db, survivorCrn),
    repo.findLivingPersonByCrn(db, mergedCrn),
  ])
  const problems = [
    ...(survivor
      ? []
      : [{ field: 'survivorCrn', message: 'There is no person with this CRN, or they have been merged' }]),
    ...(merged
      ? []
      : [{ field: 'mergedCrn', message: 'There is no person with this CRN, or they have been merged' }]),
  ]
  if (problems.length) throw new ValidationError(problems)
  return mergePeople(db, actor, survivor!.id, merged!.id, reason, origin)
}

/** The identity queue and recent merges; it names people, so looking at it is recorded. */
export async function identityOverview(db: Db, actor: Actor, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const [reviews, merged, unmatched] = await Promise.all([
      repo.listPendingReviews(tx, 100),
      merges.listMerges(tx, 50),
      repo.countUnmatched(tx),
    ])
    const personIds = [
      ...new Set([
        ...reviews.map((r) => r.candidate_person_id),
        ...merged.flatMap((m) => [m.survivor_id, m.merged_id]),
      ]),
    ]
    if (personIds.length) {
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds,
        categories: ['identity'],
        origin,
        purpose: 'Identity matching review',
      })
    }
    return { reviews, merges: merged, unmatched }
  })
}

export const findMerge = (db: Db, id: string) => merges.findMerge(db, id)

/**
 * The living people holding any of these identifiers, keyed `type:value` (merged records
 * resolve to who they were merged into), for modules applying other systems' events.
 */
export async function peopleHolding(db: Queryable, identifiers: repo.Identifier[]) {
  const rows = await repo.findByIdentifiers(db, identifiers)
  return new Map(rows.map((r) => [`${r.type}:${r.value}`, r.person_id]))
}

/** Records a prison number another system gives a known person; one held by someone else is left alone. */
export async function addPrisonNumber(tx: Tx, personId: string, nomsNumber: string) {
  await repo.insertIdentifiers(tx, personId, [{ type: 'noms', value: nomsNumber }], null)
  await tx
    .updateTable('people')
    .set({ noms_number: nomsNumber, updated_at: sql`now()` })
    .where('id', '=', personId)
    .where('noms_number', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom('people as other').select('other.id').where('other.noms_number', '=', nomsNumber)),
      ),
    )
    .execute()
}

/**
 * The prison merged two prisoner records: whoever Tandem knows by `from` is now known by
 * `to`. The old number stays as a historical identifier, so old messages still find them.
 */
export async function replacePrisonNumber(tx: Tx, personId: string, from: string, to: string) {
  await repo.insertIdentifiers(tx, personId, [{ type: 'noms', value: to }], null)
  await tx
    .updateTable('people')
    .set({ noms_number: to, updated_at: sql`now()` })
    .where('id', '=', personId)
    .where((eb) => eb.or([eb('noms_number', '=', from), eb('noms_number', 'is', null)]))
    .execute()
}
