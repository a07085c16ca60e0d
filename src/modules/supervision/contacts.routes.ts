import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { ConflictError, ValidationError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import {
  dateFromParts,
  dateParts,
  formErrors,
  parseForm,
  type FormErrors,
} from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { londonDate } from '../../platform/views/format.js'
import * as contacts from './contacts.service.js'
import { personNotFound } from '../people/person-not-found.js'
import { crnOf, idOf } from './person-pages.js'
import { ContactFilter, ContactForm } from './supervision.schema.js'
import { londonClock } from './time.js'

const caseworkers = forRoles(...CASEWORK_ROLES)
type PersonParams = { Params: { crn: string } }
type ContactParams = { Params: { crn: string; id: string } }

function submitted(body: Record<string, unknown>) {
  return { ...body, dateParts: { day: body['date-day'], month: body['date-month'], year: body['date-year'] } }
}

export function contactRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  /** The form starts at now, so recording a contact as it happens takes a type and a summary. */
  const now = () => ({ dateParts: dateParts(londonDate(clock.now())), time: londonClock(clock.now()) })

  async function logPage(
    reply: FastifyReply,
    request: FastifyRequest,
    crn: string,
    extra: Record<string, unknown> = {},
  ) {
    const filter = ContactFilter.safeParse(request.query)
    const type = filter.success ? filter.data.type || undefined : undefined
    const view = await contacts.viewContacts(db, actorOf(request), crn, type, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    return reply.view('supervision/views/contacts.njk', {
      ...view,
      section: 'contacts',
      type,
      values: { ...now(), category: 'supervision', kind: 'contact.face_to_face' },
      typeName: contacts.contactTypeName,
      ...extra,
    })
  }

  app.get<PersonParams>('/people/:crn/contacts', { config: caseworkers }, (request, reply) =>
    logPage(reply, request, crnOf(request.params.crn), {
      recorded: (request.query as Record<string, string>).recorded === '1',
    }),
  )

  app.post<PersonParams>('/people/:crn/contacts', { config: caseworkers }, async (request, reply) => {
    const crn = crnOf(request.params.crn)
    const body = (request.body ?? {}) as Record<string, unknown>
    const again = (errors: FormErrors) => {
      reply.code(400)
      return logPage(reply, request, crn, { errors, values: submitted(body) })
    }
    const form = parseForm(ContactForm, { ...body, date: dateFromParts(body, 'date') })
    if (!form.ok) return again(form.errors)
    try {
      const id = await contacts.recordContact(db, actorOf(request), crn, form.value, originOf(request), clock)
      if (!id) return personNotFound(db, reply, crn)
      return reply.redirect(`/people/${crn}/contacts?recorded=1`, 303)
    } catch (error) {
      if (error instanceof ValidationError) return again(formErrors(error.problems))
      throw error
    }
  })

  async function contactPage(
    reply: FastifyReply,
    request: FastifyRequest,
    crn: string,
    id: string,
    extra: Record<string, unknown> = {},
  ) {
    const view = await contacts.viewContact(db, actorOf(request), crn, id, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    const c = view.contact
    const at = new Date(c.occurred_at)
    return reply.view('supervision/views/contact.njk', {
      ...view,
      section: 'contacts',
      typeName: contacts.contactTypeName,
      values: {
        kind: c.kind,
        dateParts: dateParts(londonDate(at)),
        time: londonClock(at),
        summary: c.summary,
        category: c.category,
        sensitive: c.sensitive ? 'yes' : undefined,
      },
      ...extra,
    })
  }

  app.get<ContactParams>('/people/:crn/contacts/:id', { config: caseworkers }, (request, reply) =>
    contactPage(reply, request, crnOf(request.params.crn), idOf(request.params.id), {
      corrected: (request.query as Record<string, string>).corrected === '1',
    }),
  )

  app.post<ContactParams>('/people/:crn/contacts/:id', { config: caseworkers }, async (request, reply) => {
    const crn = crnOf(request.params.crn)
    const id = idOf(request.params.id)
    const body = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(ContactForm, { ...body, date: dateFromParts(body, 'date') })
    if (!form.ok) {
      reply.code(400)
      return contactPage(reply, request, crn, id, { errors: form.errors, values: submitted(body) })
    }
    try {
      const newId = await contacts.correctContact(
        db,
        actorOf(request),
        crn,
        id,
        form.value,
        originOf(request),
        clock,
      )
      if (!newId) return personNotFound(db, reply, crn)
      return reply.redirect(`/people/${crn}/contacts/${newId}?corrected=1`, 303)
    } catch (error) {
      if (error instanceof ValidationError) {
        reply.code(400)
        return contactPage(reply, request, crn, id, {
          errors: formErrors(error.problems),
          values: submitted(body),
        })
      }
      if (error instanceof ConflictError) {
        reply.code(409)
        return contactPage(reply, request, crn, id, { conflict: true })
      }
      throw error
    }
  })
}
