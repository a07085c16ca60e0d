import { ConflictError, ForbiddenError, ValidationError } from '../../errors.js'
import { defaultPurpose } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { personHeader, type PersonHeader } from '../people/person-view.service.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import * as repo from './contacts.repository.js'
import { CONTACT_TYPES, type ContactInput } from './supervision.schema.js'
import { londonInstant } from './time.js'

const CONTACT_LOG_LIMIT = 200
/** How many earlier versions of one contact are followed back; corrections are rare. */
const HISTORY_LIMIT = 50

export function contactTypeName(kind: string) {
  return CONTACT_TYPES[kind as keyof typeof CONTACT_TYPES] ?? kind
}

function audit(
  tx: Tx,
  actor: Actor,
  header: PersonHeader,
  origin: Origin,
  action: 'read' | 'create',
  categories: string[],
  detail: Record<string, unknown>,
) {
  return recordAudit(tx, {
    actor,
    action,
    personIds: [header.person.id],
    categories: [...new Set(categories)],
    origin,
    purpose: defaultPurpose(header.person.access.relationship),
    relationship: header.person.access.relationship,
    detail,
  })
}

/** The categories the actor may file a contact under: those their access to the person includes. */
function categoryChoices(tx: Tx, header: PersonHeader) {
  return repo.findCategories(tx, header.person.access.categories)
}

/** The contact log, newest first, with the filter's choices. Null when the person may not be seen. */
export async function viewContacts(
  db: Db,
  actor: Actor,
  crn: string,
  kind: string | undefined,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const header = await personHeader(tx, actor, crn, clock)
    if (!header) return null
    const contacts = await repo.findContacts(tx, actor, header.person.id, kind, CONTACT_LOG_LIMIT)
    const kinds = new Set([
      ...Object.keys(CONTACT_TYPES),
      ...(await repo.findContactKinds(tx, actor, header.person.id)),
    ])
    await audit(
      tx,
      actor,
      header,
      origin,
      'read',
      contacts.map((c) => c.category),
      { contacts: contacts.length },
    )
    return {
      ...header,
      contacts,
      types: [...kinds].map((k) => ({ value: k, text: contactTypeName(k) })),
      categories: (await categoryChoices(tx, header)).map((c) => ({ value: c.code, text: c.name })),
    }
  })
}

function occurredAt(input: ContactInput, now: Date) {
  const at = londonInstant(input.date, input.time)
  if (!at)
    throw new ValidationError([
      { field: 'time', message: 'That time does not exist on that day because the clocks go forward' },
    ])
  if (at > now) throw new ValidationError([{ field: 'date', message: 'The contact must be in the past' }])
  return at
}

async function saveContact(
  tx: Tx,
  actor: Actor,
  header: PersonHeader,
  input: ContactInput,
  replacesId: string | null,
  origin: Origin,
  clock: Clock,
) {
  const now = clock.now()
  if (!header.person.access.categories.includes(input.category))
    throw new ValidationError([{ field: 'category', message: 'Choose a sensitivity category from the list' }])
  const at = occurredAt(input, now)
  const personId = header.person.id
  const id = await repo.insertContact(tx, {
    personId,
    occurredAt: at,
    kind: input.kind,
    summary: input.summary,
    category: input.category,
    sensitive: input.sensitive,
    authorUserId: actor.userId,
    agencyId: actor.agencyId,
    replacesId,
    at: now,
  })
  // The timeline is shared more widely than a sensitive contact may be: it says only that one happened.
  await addTimelineEntry(tx, {
    personId,
    at,
    kind: replacesId ? 'contact.corrected' : 'contact.recorded',
    category: input.category,
    agencyId: actor.agencyId,
    title: `${replacesId ? 'Contact corrected' : 'Contact'}: ${contactTypeName(input.kind)}${input.sensitive ? ' (sensitive)' : ''}`,
    summary: input.sensitive ? null : input.summary,
  })
  await audit(tx, actor, header, origin, 'create', [input.category], { contactId: id, replacesId })
  await publish(tx, {
    type: 'contact.recorded',
    personId,
    payload: {
      contactId: id,
      kind: input.kind,
      category: input.category,
      sensitive: input.sensitive,
      occurredAt: at.toISOString(),
      replacesId,
    },
  })
  return id
}

/** Records a contact in seconds. Returns its id, or null when the person may not be seen. */
export async function recordContact(
  db: Db,
  actor: Actor,
  crn: string,
  input: ContactInput,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const header = await personHeader(tx, actor, crn, clock)
    if (!header) return null
    return saveContact(tx, actor, header, input, null, origin, clock)
  })
}

/** One contact with its earlier versions and, if corrected since, the version that replaced it. */
export async function viewContact(
  db: Db,
  actor: Actor,
  crn: string,
  id: string,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const header = await personHeader(tx, actor, crn, clock)
    if (!header) return null
    const contact = await repo.findContact(tx, actor, header.person.id, id)
    if (!contact) return null
    const history = await repo.findEarlierVersions(tx, actor, header.person.id, id, HISTORY_LIMIT)
    const correctedBy = contact.superseded ? await repo.findCorrection(tx, actor, header.person.id, id) : null
    await audit(
      tx,
      actor,
      header,
      origin,
      'read',
      [contact, ...history].map((c) => c.category),
      {
        contactId: id,
      },
    )
    return {
      ...header,
      contact,
      history,
      correctedBy: correctedBy ?? null,
      mayCorrect: !contact.superseded && contact.agency_id === actor.agencyId,
      types: Object.entries(CONTACT_TYPES).map(([value, text]) => ({ value, text })),
      categories: (await categoryChoices(tx, header)).map((c) => ({ value: c.code, text: c.name })),
    }
  })
}

/**
 * Corrects a contact: a new version replaces it and it is kept, superseded, in the history.
 * Only the author's agency corrects its own notes; if someone corrected it first, ConflictError.
 */
export async function correctContact(
  db: Db,
  actor: Actor,
  crn: string,
  id: string,
  input: ContactInput,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const header = await personHeader(tx, actor, crn, clock)
    if (!header) return null
    const contact = await repo.findContact(tx, actor, header.person.id, id)
    if (!contact) return null
    if (contact.agency_id !== actor.agencyId) throw new ForbiddenError()
    if (!(await repo.markSuperseded(tx, header.person.id, id))) throw new ConflictError()
    return saveContact(tx, actor, header, input, id, origin, clock)
  })
}
