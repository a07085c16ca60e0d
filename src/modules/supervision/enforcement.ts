/**
 * Enforcement of appointments: which failures count, over what window, and what each one asks
 * the lead practitioner to do. Pure: the service applies it inside the outcome's transaction.
 */

/**
 * The national standard for enforcement looks back 12 months: a failure to comply counts
 * towards a breach only if another happened within the 12 months before it.
 */
export const ENFORCEMENT_WINDOW_MONTHS = 12

/** Outcomes that are failures to comply for enforcement. An acceptable absence never counts. */
export const FAILURE_OUTCOMES = ['unacceptable_absence', 'attended_failed_to_comply'] as const

export const WARNING_DUE_DAYS = 5
export const BREACH_DUE_DAYS = 10

export interface Failure {
  appointmentId: string
  startsAt: Date
}

export interface EnforcementStep {
  kind: 'enforcement_warning' | 'breach_decision'
  title: string
  dueInDays: number
  /** Failures in the window up to and including this one. */
  count: number
}

export function isFailure(outcome: string | null | undefined): boolean {
  return (FAILURE_OUTCOMES as readonly string[]).includes(outcome ?? '')
}

/** The start of the window that ends at `at`: the same moment 12 calendar months earlier. */
export function windowStart(at: Date): Date {
  const start = new Date(at)
  start.setUTCMonth(start.getUTCMonth() - ENFORCEMENT_WINDOW_MONTHS)
  return start
}

/** How many failures fall in the window ending at `at` (after its start, not after `at`). */
export function failuresInWindow(failures: readonly Failure[], at: Date): number {
  const from = windowStart(at).getTime()
  return failures.filter((f) => f.startsAt.getTime() > from && f.startsAt.getTime() <= at.getTime()).length
}

/**
 * What a failure at one appointment calls for, given every failure on the person's enforceable
 * appointments (including this one): the first in the window a warning, the second or later a
 * breach decision. Counted from the outcomes as they now stand, so an outcome changed away
 * from a failure simply stops counting. Null when the appointment is not a failure.
 */
export function enforcementStep(failures: readonly Failure[], appointmentId: string): EnforcementStep | null {
  const failure = failures.find((f) => f.appointmentId === appointmentId)
  if (!failure) return null
  const count = failuresInWindow(failures, failure.startsAt)
  return count <= 1
    ? { kind: 'enforcement_warning', title: 'Issue a warning letter', dueInDays: WARNING_DUE_DAYS, count }
    : { kind: 'breach_decision', title: 'Decide on breach action', dueInDays: BREACH_DUE_DAYS, count }
}
