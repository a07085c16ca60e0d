import { createHash } from 'node:crypto'
import { z } from 'zod'
import { DATA_CATEGORIES } from '../../../platform/access/actor.js'
import {
  aliases,
  crn,
  croNumber,
  date,
  dateOfBirth,
  email,
  instant,
  nomsNumber,
  oneOf,
  optional,
  pncNumber,
  postcode,
  required,
  text,
  wholeNumber,
} from './cells.js'

/** What a legacy extract can hold: one kind of row per file. */
export const KINDS = ['people', 'sentences', 'appointments', 'contacts', 'registrations'] as const
export type ImportKind = (typeof KINDS)[number]

export const OUTCOMES = [
  'attended_complied',
  'attended_failed_to_comply',
  'acceptable_absence',
  'unacceptable_absence',
  'rescheduled',
  'cancelled',
] as const

/** Timeline titles for appointment outcomes, as the seed and the single view word them. */
export const OUTCOME_TITLES: Record<(typeof OUTCOMES)[number], string> = {
  attended_complied: 'Attended and complied',
  attended_failed_to_comply: 'Attended, failed to comply',
  acceptable_absence: 'Acceptable absence',
  unacceptable_absence: 'Failed to attend (unacceptable absence)',
  rescheduled: 'Rescheduled',
  cancelled: 'Cancelled',
}

/** Columns every kind accepts: an explicit row key, and the agency the row is recorded for. */
const common = {
  source_ref: optional(text(200)),
  agency_code: optional(text(50)),
}

const people = z.object({
  ...common,
  crn: required('a CRN', crn),
  first_name: required('a first name', text(100)),
  last_name: required('a last name', text(100)),
  date_of_birth: required('a date of birth', dateOfBirth),
  gender: optional(
    oneOf<'male' | 'female' | 'non_binary' | 'not_known'>(['male', 'female', 'non_binary', 'not_known'], {
      m: 'male',
      f: 'female',
      nonbinary: 'non_binary',
      u: 'not_known',
      unknown: 'not_known',
    }),
  ),
  noms_number: optional(nomsNumber),
  pnc_number: optional(pncNumber),
  cro_number: optional(croNumber),
  postcode: optional(postcode),
  aliases: optional(aliases),
})

const sentences = z.object({
  ...common,
  crn: required('a CRN', crn),
  sentence_type: required('the type of sentence, for example community', text(100)),
  description: required('a description of the sentence', text(500)),
  offence: required('the main offence', text(500)),
  offence_category: optional(text(100)),
  court: required('the court', text(200)),
  sentenced_on: required('the date of sentence', date),
  event_number: optional(wholeNumber(1, 999)),
  length_days: optional(wholeNumber(0, 36_500)),
  expected_release_on: optional(date),
  licence_end_on: optional(date),
  sentence_end_on: optional(date),
  ended_on: optional(date),
})

const appointments = z
  .object({
    ...common,
    crn: required('a CRN', crn),
    starts_at: required('the date and time the appointment starts', instant),
    ends_at: required('the date and time the appointment ends', instant),
    kind: required('the kind of appointment, for example office_visit', text(100)),
    location: required('where the appointment is', text(200)),
    outcome: optional(
      oneOf<(typeof OUTCOMES)[number]>(OUTCOMES, {
        attended: 'attended_complied',
        failed_to_attend: 'unacceptable_absence',
      }),
    ),
    outcome_recorded_at: optional(instant),
    notes: optional(text(4000)),
    staff_email: optional(email),
  })
  .superRefine((row, ctx) => {
    if (row.ends_at <= row.starts_at)
      ctx.addIssue({
        code: 'custom',
        path: ['ends_at'],
        message: 'the end must be after the start',
        params: { kind: 'dates out of order' },
      })
  })

const contacts = z.object({
  ...common,
  crn: required('a CRN', crn),
  occurred_at: required('the date and time of the contact', instant),
  kind: required('the kind of contact, for example contact.note', text(100)),
  summary: required('a summary of the contact', text(4000)),
  category: optional(oneOf(DATA_CATEGORIES)),
  author_email: optional(email),
})

const registrations = z.object({
  ...common,
  crn: required('a CRN', crn),
  type_code: required('the registration type code, for example RHRH', text(20)),
  type_description: required('the registration type, for example High RoSH', text(200)),
  category: optional(oneOf(DATA_CATEGORIES)),
  level: optional(text(50)),
  registered_on: required('the date of registration', date),
  next_review_on: optional(date),
  deregistered_on: optional(date),
})

export type PeopleRow = z.infer<typeof people>
export type SentenceRow = z.infer<typeof sentences>
export type AppointmentRow = z.infer<typeof appointments>
export type ContactRow = z.infer<typeof contacts>
export type RegistrationRow = z.infer<typeof registrations>
export type AnyRow = PeopleRow | SentenceRow | AppointmentRow | ContactRow | RegistrationRow

interface KindSpec {
  schema: z.ZodType<AnyRow>
  /** Columns without which no row can be read: the import stops before reading any. */
  required: string[]
  /** The row's natural key when it has no source_ref (always led by the CRN). */
  naturalKey: (row: never) => string
}

export const SPECS: Record<ImportKind, KindSpec> = {
  people: {
    schema: people,
    required: ['crn', 'first_name', 'last_name', 'date_of_birth'],
    naturalKey: (row: PeopleRow) => row.crn,
  },
  sentences: {
    schema: sentences,
    required: ['crn', 'sentence_type', 'description', 'offence', 'court', 'sentenced_on'],
    naturalKey: (row: SentenceRow) => `${row.crn}|${row.sentenced_on}|${row.description}`,
  },
  appointments: {
    schema: appointments,
    required: ['crn', 'starts_at', 'ends_at', 'kind', 'location'],
    naturalKey: (row: AppointmentRow) => `${row.crn}|${row.starts_at}|${row.kind}`,
  },
  contacts: {
    schema: contacts,
    required: ['crn', 'occurred_at', 'kind', 'summary'],
    naturalKey: (row: ContactRow) => `${row.crn}|${row.occurred_at}|${row.kind}|${row.summary}`,
  },
  registrations: {
    schema: registrations,
    required: ['crn', 'type_code', 'type_description', 'registered_on'],
    naturalKey: (row: RegistrationRow) => `${row.crn}|${row.type_code}|${row.registered_on}`,
  },
}

/** Every column a kind reads, in a stable order. */
export function columnsOf(kind: ImportKind): string[] {
  const schema = SPECS[kind].schema as unknown as { shape?: object; def?: { in?: { shape: object } } }
  return Object.keys(schema.shape ?? schema.def?.in?.shape ?? {})
}

/**
 * The key that makes re-importing a row a no-op: its source_ref, or its natural key. Long keys
 * are shortened with a hash, since a unique index entry must fit in a page.
 */
export function rowKey(kind: ImportKind, row: AnyRow): string {
  const key = row.source_ref ?? SPECS[kind].naturalKey(row as never)
  return key.length <= 200 ? key : `${key.slice(0, 150)}#${createHash('sha1').update(key).digest('hex')}`
}

/**
 * A digest of everything a row says, to tell a repeat from a changed row with the same key.
 * Blank cells are left out, so a column added to a kind later does not make old rows look changed.
 */
export function rowHash(row: AnyRow): string {
  const said = Object.entries(row)
    .filter(([, value]) => value !== null)
    .sort(([a], [b]) => (a < b ? -1 : 1))
  return createHash('sha1').update(JSON.stringify(said)).digest('hex')
}

/** One thing wrong with one row (row numbers count the header as row 1, as a spreadsheet does). */
export interface RowProblem {
  row: number
  column: string | null
  message: string
  kind: string
}

/** Reads one row, returning the row or every problem with it. */
export function parseRow(
  kind: ImportKind,
  row: number,
  values: Record<string, string>,
): { ok: true; value: AnyRow } | { ok: false; problems: RowProblem[] } {
  const result = SPECS[kind].schema.safeParse(values)
  if (result.success) return { ok: true, value: result.data }
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({
      row,
      column: issue.path.length ? String(issue.path[0]) : null,
      message: issue.message,
      kind: ((issue as { params?: { kind?: string } }).params?.kind ?? 'not valid') as string,
    })),
  }
}

/** "Row 14, column date_of_birth: enter a real date, for example 1990-03-27". */
export function describeProblem(problem: RowProblem): string {
  return `Row ${problem.row}${problem.column ? `, column ${problem.column}` : ''}: ${problem.message}`
}
