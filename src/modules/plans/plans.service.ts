import type { Clock } from '../../platform/clock.js'
import type { Tx } from '../../platform/database/database.js'

/** A change of circumstances that the plan must adapt to (the "pivot"). */
export interface CircumstanceChange {
  personId: string
  change:
    'recalled' | 'custody' | 'released' | 'release_date_changed' | 'accommodation_lost' | 'new_conviction'
  /** Why, in words for the timeline and the owners, e.g. 'Recalled to HMP Leeds on 3 March'. */
  reason: string
  /** For release_date_changed: the old and new dates (YYYY-MM-DD). */
  previousReleaseOn?: string | null
  newReleaseOn?: string | null
  /** Idempotency: the outbox event or message that caused the change. */
  causeRef: string
}

export interface PlanAdaptation {
  suspended: string[]
  cancelled: string[]
  rescheduled: string[]
  resumed: string[]
  tasksCreated: number
}

/**
 * Adapts the person's plan to a change of circumstances: dependent actions are suspended,
 * cancelled or rescheduled, owners are told, completed work stays, and the change is recorded
 * on the timeline. Idempotent by causeRef.
 */
export async function adaptPlanToChange(
  _tx: Tx,
  _change: CircumstanceChange,
  _clock: Clock,
): Promise<PlanAdaptation> {
  throw new Error('adaptPlanToChange is being built')
}
