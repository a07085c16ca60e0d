import type { Actor } from '../../platform/access/actor.js'
import type { Clock } from '../../platform/clock.js'
import type { Tx } from '../../platform/database/database.js'
import { londonDate, formatDate } from '../../platform/views/format.js'
import { changeTasksBySource, changeTaskStatus, createTask, tasksOfPerson } from '../tasks/tasks.service.js'
import { enforcementStep, ENFORCEMENT_WINDOW_MONTHS, isFailure } from './enforcement.js'
import * as repo from './supervision.repository.js'
import { OUTCOMES, type Outcome } from './supervision.schema.js'
import { addDays } from './time.js'

const SOURCE = 'enforcement'

/**
 * Applies enforcement after an outcome is recorded, in the caller's transaction. A failure to
 * comply creates the lead's warning or breach task, once per appointment (the task's source
 * reference is the appointment, so a second click or a redelivery adds nothing). An outcome
 * changed away from a failure cancels that appointment's open task; changed back, it reopens it.
 */
export async function applyEnforcement(
  tx: Tx,
  actor: Actor,
  change: {
    personId: string
    appointmentId: string
    previousOutcome: string | null
    outcome: Outcome
    clock: Clock
  },
) {
  const { personId, appointmentId, clock } = change
  const sourceRef = `appointment:${appointmentId}`
  if (!isFailure(change.outcome)) {
    if (isFailure(change.previousOutcome))
      await changeTasksBySource(
        tx,
        {
          personId,
          source: SOURCE,
          refPrefix: sourceRef,
          status: 'cancelled',
          reason: `The appointment's outcome was changed to ${OUTCOMES[change.outcome].toLowerCase()}`,
        },
        clock,
      )
    return null
  }
  const failures = await repo.findFailures(tx, personId)
  const step = enforcementStep(failures, appointmentId)
  if (!step) return null
  const failure = failures.find((f) => f.appointmentId === appointmentId)!
  const { lead, leadAgencyId } = await repo.findLead(tx, personId)
  const created = await createTask(tx, {
    personId,
    kind: step.kind,
    title: step.title,
    reason: `${step.count} ${step.count === 1 ? 'failure' : 'failures'} to comply in the ${ENFORCEMENT_WINDOW_MONTHS} months up to ${formatDate(failure.startsAt)}: ${OUTCOMES[change.outcome].toLowerCase()} on ${formatDate(failure.startsAt)}`,
    ownerUserId: lead?.userId ?? null,
    // With no lead practitioner, the work waits for any probation practitioner of the lead agency.
    ownerRole: lead ? null : 'probation_practitioner',
    ownerAgencyId: lead?.agencyId ?? leadAgencyId,
    dueOn: addDays(londonDate(clock.now()), step.dueInDays),
    source: SOURCE,
    sourceRef,
  })
  if (!created) {
    // Changed away and back again: the cancelled task is this same failure, so reopen it.
    const cancelled = (await tasksOfPerson(tx, personId)).find(
      (t) => t.source === SOURCE && t.source_ref === sourceRef && t.status === 'cancelled',
    )
    if (cancelled)
      await changeTaskStatus(
        tx,
        actor,
        {
          personId,
          taskId: cancelled.id,
          version: cancelled.version,
          status: 'open',
          reason: 'The appointment was recorded as a failure to comply again',
        },
        clock,
      )
  }
  return step
}
