import { sql } from 'kysely'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import type { PersonScoreFacts } from './score-inputs.js'

export type ScoreKind = 'ogrs3' | 'tier'

/** Everything a person's scores are calculated from, in one statement; null for no such person. */
/** What the scores rest on, for each of these people (merged records excluded). */
export async function findScoreFacts(db: Queryable, personIds: string[]) {
  if (personIds.length === 0) return new Map<string, PersonScoreFacts>()
  const { rows } = await sql<PersonScoreFacts & { id: string }>`
    select p.id, p.gender, p.date_of_birth::text as "dateOfBirth", p.rosh_level as "roshLevel",
      p.mappa_level as "mappaLevel",
      coalesce((select json_agg(json_build_object('id', s.id, 'sentencedOn', s.sentenced_on,
          'offence', s.offence, 'offenceCategory', s.offence_category, 'sentenceType', s.sentence_type,
          'expectedReleaseOn', s.expected_release_on) order by s.sentenced_on, s.id)
        from sentences s where s.person_id = p.id), '[]') as sentences,
      coalesce((select json_agg(json_build_object('receivedOn', e.received_on, 'releasedOn', e.released_on)
          order by e.received_on)
        from custody_episodes e where e.person_id = p.id), '[]') as "custodyEpisodes",
      coalesce((select json_agg(json_build_object('typeCode', r.type_code, 'category', r.category)
          order by r.type_code)
        from registrations r where r.person_id = p.id and r.deregistered_on is null), '[]') as registers,
      (select json_build_object('score', rs.score, 'determinedAt', rs.determined_at)
        from risk_scores rs where rs.person_id = p.id and rs.kind = 'rsr' and rs.score is not null
        order by rs.determined_at desc limit 1) as rsr
    from people p
    where p.id = any(${personIds}::uuid[]) and p.merged_into is null`.execute(db)
  return new Map(rows.map(({ id, ...facts }) => [id, facts]))
}

export async function findScoreSettings(db: Queryable, kind: 'ogrs3') {
  const { rows } = await sql<{ settings: Record<string, unknown>; version: number; updated_at: Date }>`
    select settings, version, updated_at from score_settings where kind = ${kind}`.execute(db)
  return rows[0] ?? null
}

/** Saves new settings if `basedOn` is still the current version; false when someone else saved first. */
export async function updateScoreSettings(
  db: Queryable,
  change: { kind: 'ogrs3'; settings: Record<string, unknown>; basedOn: number; userId: string; at: Date },
) {
  const result = await sql`update score_settings set settings = ${JSON.stringify(change.settings)}::jsonb,
      version = version + 1, updated_by = ${change.userId}::uuid, updated_at = ${change.at}::timestamptz
    where kind = ${change.kind} and version = ${change.basedOn}::int`.execute(db)
  return Number(result.numAffectedRows ?? 0) > 0
}

/**
 * Serialises recalculation of each person's scores (two events for one person at once would
 * otherwise both find the old fingerprint), for the rest of the caller's transaction. Taken in
 * one order, so two batches sharing people cannot deadlock.
 */
export async function lockPersonScores(db: Queryable, personIds: string[]) {
  await sql`select pg_advisory_xact_lock(7243016, hashtext(id)) from unnest(${[...personIds].sort()}::text[]) id`.execute(
    db,
  )
}

/** The fingerprint of each current score, by person and kind. */
export async function findCurrentFingerprints(db: Queryable, personIds: string[]) {
  const { rows } = await sql<{ person_id: string; kind: ScoreKind; fingerprint: string }>`
    select person_id, kind, fingerprint from person_scores
    where person_id = any(${personIds}::uuid[]) and superseded_at is null`.execute(db)
  const byPerson = new Map<string, Map<ScoreKind, string>>()
  for (const r of rows)
    byPerson.set(r.person_id, (byPerson.get(r.person_id) ?? new Map()).set(r.kind, r.fingerprint))
  return byPerson
}

export interface NewScore {
  personId: string
  kind: ScoreKind
  calculatorVersion: number
  status: 'calculated' | 'not_calculated'
  inputs: unknown
  settings: unknown
  result: unknown
  missing: string[]
  score: number | null
  band: string | null
  categories: string[]
  fingerprint: string
  cause: string
  causeEventId: number | null
  at: Date
}

/** Marks each person's current score of each kind superseded and stores the new ones as current. */
export async function replaceScores(db: Queryable, scores: NewScore[]) {
  if (scores.length === 0) return
  const rows = JSON.stringify(
    scores.map((s) => ({
      person_id: s.personId,
      kind: s.kind,
      calculator_version: s.calculatorVersion,
      status: s.status,
      inputs: s.inputs,
      settings: s.settings,
      result: s.result,
      missing: s.missing,
      score: s.score,
      band: s.band,
      categories: s.categories,
      fingerprint: s.fingerprint,
      cause: s.cause,
      cause_event_id: s.causeEventId,
      computed_at: s.at,
    })),
  )
  const columns = sql`person_id uuid, kind text, calculator_version int, status text, inputs jsonb,
    settings jsonb, result jsonb, missing text[], score numeric, band text, categories text[],
    fingerprint text, cause text, cause_event_id bigint, computed_at timestamptz`
  await sql`update person_scores ps set superseded_at = n.computed_at
    from jsonb_to_recordset(${rows}::jsonb) as n(${columns})
    where ps.person_id = n.person_id and ps.kind = n.kind and ps.superseded_at is null`.execute(db)
  await sql`insert into person_scores (person_id, kind, calculator_version, status, inputs, settings, result,
      missing, score, band, categories, fingerprint, cause, cause_event_id, computed_at)
    select person_id, kind, calculator_version, status, inputs, settings, nullif(result, 'null'), missing,
      score, band, categories, fingerprint, cause, cause_event_id, computed_at
    from jsonb_to_recordset(${rows}::jsonb) as n(${columns})`.execute(db)
}

export interface ScoreRow {
  id: string
  kind: ScoreKind
  calculator_version: number
  status: 'calculated' | 'not_calculated'
  inputs: Record<string, unknown>
  settings: Record<string, unknown>
  result: Record<string, unknown> | null
  missing: string[]
  score: number | null
  band: string | null
  categories: string[]
  cause: string
  computed_at: Date
  superseded_at: Date | null
}

/**
 * A person's scores, newest first, that the actor may see: the person must be visible to them
 * and every data category a score's inputs reveal must be shared with them.
 */
export async function findScoresOfPerson(db: Queryable, actor: Actor, personId: string, limit = 20) {
  const { rows } = await sql<ScoreRow>`
    select s.id, s.kind, s.calculator_version, s.status, s.inputs, s.settings, s.result, s.missing, s.score,
      s.band, s.categories, s.cause, s.computed_at, s.superseded_at
    from people p
    join lateral (select * from person_access(p, ${actor.userId}::uuid) offset 0) access on true
    join person_scores s on s.person_id = p.id
    where p.id = ${personId}::uuid and s.categories <@ access.categories
    order by s.superseded_at is null desc, s.computed_at desc
    limit ${limit}::int`.execute(db)
  return rows
}

/** The tier upstream sent, and when the tier service last said it recalculated it. */
export async function findUpstreamTier(db: Queryable, personId: string) {
  const { rows } = await sql<{ tier: string | null; calculated_at: Date | null }>`
    select p.tier, (select max(t.occurred_at) from timeline_events t
      where t.person_id = p.id and t.kind = 'assessment.tier') as calculated_at
    from people p where p.id = ${personId}::uuid`.execute(db)
  return rows[0] ?? { tier: null, calculated_at: null }
}
