import { NotFoundError } from '../../errors.js'
import { CrnParam } from '../people/people.schema.js'
import { IdParam } from './supervision.schema.js'

/** A malformed CRN or id cannot name anything: the same answer as one that does not exist. */
export function crnOf(raw: string) {
  const crn = CrnParam.safeParse(raw)
  if (!crn.success) throw new NotFoundError()
  return crn.data
}

export function idOf(raw: string) {
  const id = IdParam.safeParse(raw)
  if (!id.success) throw new NotFoundError()
  return id.data
}
