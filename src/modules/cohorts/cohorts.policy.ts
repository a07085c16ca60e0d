import { hasRole, type Actor } from '../../platform/access/actor.js'
import { forRoles } from '../../platform/http/route-access.js'

/** Coordinators and managers may look at cohorts; only coordinators decide who is in them. */
export const viewers = forRoles('coordinator', 'manager')
export const changers = forRoles('coordinator')

export const mayChangeCohorts = (actor: Actor | null) => hasRole(actor, 'coordinator')
