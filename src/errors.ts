/**
 * One error type per kind of failure. Services throw these; the HTTP layer maps each once
 * to a GOV.UK error page or a problem+json body (platform/http/errors.ts).
 */
export abstract class TandemError extends Error {
  abstract readonly status: number
  abstract readonly title: string
}

/** The thing does not exist, or the actor may not know that it does. */
export class NotFoundError extends TandemError {
  readonly status = 404
  readonly title = 'Page not found'
}

/** The actor is known but their role, relationship or scope does not allow this. */
export class ForbiddenError extends TandemError {
  readonly status = 403
  readonly title = 'You do not have permission to do this'
}

/** No signed-in user or valid API token. */
export class UnauthenticatedError extends TandemError {
  readonly status = 401
  readonly title = 'Sign in to continue'
}

export type FieldProblem = { field: string; message: string }

/** Input that breaks a rule: the caller gets every problem, each tied to its field. */
export class ValidationError extends TandemError {
  readonly status = 400
  readonly title = 'There is a problem'
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '))
  }
}

/** Someone else changed the record since it was read (optimistic concurrency). */
export class ConflictError extends TandemError {
  readonly status = 409
  readonly title = 'Someone else has changed this record'
}
