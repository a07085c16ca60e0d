import { humanise } from '../../../platform/views/format.js'
import {
  OUTCOME_TITLES,
  type AnyRow,
  type AppointmentRow,
  type ContactRow,
  type RegistrationRow,
  type SentenceRow,
} from './import.schema.js'

export type RecordKind = 'sentences' | 'appointments' | 'contacts' | 'registrations'

export interface Resolved {
  id: string
  personId: string
  agencyId: string
  staffId: string | null
  eventNumber: number
}

interface TimelineItem {
  occurred_at: string
  kind: string
  category: string
  title: string
  summary: string | null
}

/** How each kind becomes a row of its table and an item on the person's timeline, as the seed writes them. */
export interface Writer<R> {
  table: RecordKind
  event: string
  staffColumn: 'staff_email' | 'author_email' | null
  category(row: R): string
  record(row: R, at: Resolved, sourceSystem: string): Record<string, unknown>
  timeline(row: R): TimelineItem | null
}

/** A date-only event goes on the timeline at midday UTC, which is the same day in London. */
const midday = (day: string) => `${day}T12:00:00.000Z`

const sentences: Writer<SentenceRow> = {
  table: 'sentences',
  event: 'person.sentence.imported',
  staffColumn: null,
  category: () => 'sentence',
  record: (r, at) => ({
    ...{ person_id: at.personId, id: at.id, event_number: at.eventNumber, sentence_type: r.sentence_type },
    ...{
      description: r.description,
      offence: r.offence,
      offence_category: r.offence_category ?? 'not_recorded',
    },
    ...{ court: r.court, sentenced_on: r.sentenced_on, length_days: r.length_days },
    ...{ expected_release_on: r.expected_release_on, licence_end_on: r.licence_end_on },
    ...{ sentence_end_on: r.sentence_end_on, ended_on: r.ended_on },
  }),
  timeline: (r) => ({
    occurred_at: midday(r.sentenced_on),
    kind: 'court.sentenced',
    category: 'sentence',
    title: `Sentenced: ${r.description.toLowerCase()} for ${r.offence.toLowerCase()}`,
    summary: null,
  }),
}

const appointments: Writer<AppointmentRow> = {
  table: 'appointments',
  event: 'person.appointment.imported',
  staffColumn: 'staff_email',
  category: () => 'supervision',
  record: (r, at) => ({
    ...{ person_id: at.personId, id: at.id, starts_at: r.starts_at, ends_at: r.ends_at, kind: r.kind },
    ...{ location: r.location, staff_user_id: at.staffId, agency_id: at.agencyId, outcome: r.outcome },
    outcome_recorded_at: r.outcome_recorded_at ?? (r.outcome ? r.ends_at : null),
    notes: r.notes,
  }),
  // As in the seed, an appointment joins the story once it has an outcome.
  timeline: (r) =>
    r.outcome
      ? {
          occurred_at: r.starts_at,
          kind: `appointment.${r.outcome}`,
          category: 'supervision',
          title: `${humanise(r.kind)}: ${OUTCOME_TITLES[r.outcome]}`,
          summary: null,
        }
      : null,
}

const contacts: Writer<ContactRow> = {
  table: 'contacts',
  event: 'person.contact.imported',
  staffColumn: 'author_email',
  category: (r) => r.category ?? 'supervision',
  record: (r, at) => ({
    ...{ person_id: at.personId, id: at.id, occurred_at: r.occurred_at, kind: r.kind, summary: r.summary },
    ...{ category: r.category ?? 'supervision', author_user_id: at.staffId, agency_id: at.agencyId },
  }),
  timeline: (r) => ({
    occurred_at: r.occurred_at,
    kind: r.kind,
    category: r.category ?? 'supervision',
    title: r.summary.length <= 200 ? r.summary : `${r.summary.slice(0, 199)}…`,
    summary: r.summary.length <= 200 ? null : r.summary,
  }),
}

const registrations: Writer<RegistrationRow> = {
  table: 'registrations',
  event: 'person.registration.imported',
  staffColumn: null,
  category: (r) => r.category ?? 'risk',
  record: (r, at, sourceSystem) => ({
    ...{ person_id: at.personId, id: at.id, type_code: r.type_code, type_description: r.type_description },
    ...{ category: r.category ?? 'risk', level: r.level, registered_on: r.registered_on },
    ...{ next_review_on: r.next_review_on, deregistered_on: r.deregistered_on, source_system: sourceSystem },
  }),
  timeline: (r) => ({
    occurred_at: midday(r.registered_on),
    kind: 'registration.added',
    category: r.category ?? 'risk',
    title: `Registration added: ${r.type_description}`,
    summary: null,
  }),
}

export const WRITERS = { sentences, appointments, contacts, registrations } as Record<
  RecordKind,
  Writer<AnyRow>
>

const TYPES = {
  sentences: { event_number: 'int', length_days: 'int', sentenced_on: 'date', expected_release_on: 'date' },
  appointments: { starts_at: 'timestamptz', ends_at: 'timestamptz', outcome_recorded_at: 'timestamptz' },
  contacts: { occurred_at: 'timestamptz' },
  registrations: { registered_on: 'date', next_review_on: 'date', deregistered_on: 'date' },
} as const
const UUIDS = ['person_id', 'id', 'staff_user_id', 'author_user_id', 'agency_id']
const DATES = ['licence_end_on', 'sentence_end_on', 'ended_on']

export function typesOf(kind: RecordKind, record: Record<string, unknown>) {
  const special = TYPES[kind] as Record<string, string>
  return Object.fromEntries(
    Object.keys(record).map((c) => [
      c,
      special[c] ?? (UUIDS.includes(c) ? 'uuid' : DATES.includes(c) ? 'date' : 'text'),
    ]),
  ) as never
}
