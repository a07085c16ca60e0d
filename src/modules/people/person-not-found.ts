import type { FastifyReply } from 'fastify'
import type { Queryable } from '../../platform/database/database.js'
import { findMergedInto } from './person-view.service.js'

/**
 * The answer when a person's page finds nobody: a CRN merged into another person leads to the
 * same page of theirs (302, since a merge can be undone); a person who does not exist and one
 * the actor may not see get the same 404 page, so a restricted person's existence is not revealed.
 */
export async function personNotFound(db: Queryable, reply: FastifyReply, crn: string) {
  const { method, url } = reply.request
  const survivor = method === 'GET' ? await findMergedInto(db, crn) : null
  if (survivor) return reply.redirect(url.replace(`/people/${crn}`, `/people/${survivor}`), 302)
  return reply.code(404).view('people/views/not-found.njk', { crn })
}
