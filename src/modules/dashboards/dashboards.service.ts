import { ForbiddenError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { childrenTable } from './breakdown.js'
import {
  activeCohorts,
  agenciesByIds,
  childAreas,
  findArea,
  placesOf,
  readFigures,
} from './dashboards.repository.js'
import {
  defaultArea,
  entitlementOf,
  mayView,
  suppresses,
  type Area,
  type Entitlement,
} from './dashboards.policy.js'
import {
  DEFAULT_PERIOD,
  parseArea,
  PERIODS,
  type DashboardQueryValue,
  type Level,
} from './dashboards.schema.js'
import type { FigureRow } from './figures.repository.js'
import { caseloadFigures, lastRefresh, rebuildFigures } from './refresh.repository.js'
import { buildMeasures } from './measures.js'
import { areaChoices } from './choices.js'
import { momentsAt } from './periods.js'

/** Stored figures older than this are shown with a warning: the worker may have stopped. */
const STALE_AFTER_MS = 5 * 60_000

/**
 * Counts every measure for every team and sums them to delivery units, regions and the nation,
 * replacing the stored figures. The worker calls this at most once a minute; a second process
 * skips while one is counting, or when the figures are younger than `minimumAgeMs`.
 */
export async function refreshDashboards(db: Db, clock: Clock, minimumAgeMs = 0) {
  return db.transaction().execute((tx) => rebuildFigures(tx, momentsAt(clock.now()), minimumAgeMs))
}

const NATION: Area = { level: 'nation', id: null, code: null, name: 'National', pduId: null, regionId: null }
const CASELOAD: Area = {
  level: 'caseload',
  id: null,
  code: null,
  name: 'My caseload',
  pduId: null,
  regionId: null,
}

const badField = (field: string, message: string) => new ValidationError([{ field, message }])

/** The area asked for, or the user's own when none is; an unknown one is a problem with the form. */
async function resolveArea(db: Db, actor: Actor, entitlement: Entitlement, asked: string | undefined) {
  let area: Area | undefined
  if (asked) {
    const { level, code } = parseArea(asked)
    area =
      level === 'nation'
        ? NATION
        : level === 'caseload'
          ? CASELOAD
          : await findArea(db, level, { code: code! })
    if (!area) throw badField('area', 'Choose an area from the list')
  } else {
    const fallback = defaultArea(actor, entitlement)
    if (!fallback) throw new ForbiddenError()
    area =
      fallback.level === 'nation'
        ? NATION
        : fallback.level === 'caseload'
          ? CASELOAD
          : await findArea(db, fallback.level, { id: fallback.id! })
    if (!area) throw new ForbiddenError()
  }
  if (!mayView(entitlement, area)) throw new ForbiddenError()
  return area
}

const CHILD_LEVEL: Partial<Record<Level, Exclude<Level, 'caseload'>>> = {
  nation: 'region',
  region: 'pdu',
  pdu: 'team',
}

/**
 * One area's dashboard: every measure's table and chart, the areas one level down, and the
 * choices for the filter form. Throws ForbiddenError for an area the actor may not see, and
 * ValidationError (naming the field) for an area or cohort that does not exist.
 */
export async function dashboardFor(db: Db, actor: Actor, query: DashboardQueryValue, clock: Clock) {
  const entitlement = entitlementOf(actor, await placesOf(db, actor.agencyId, actor.teamIds))
  const area = await resolveArea(db, actor, entitlement, query.area)
  const cohorts = await activeCohorts(db)
  const cohort = query.cohort ? cohorts.find((c) => c.code === query.cohort) : undefined
  if (query.cohort && !cohort) throw badField('cohort', 'Choose a cohort from the list')
  const period = query.period ?? DEFAULT_PERIOD
  const moments = momentsAt(clock.now())
  const hide = suppresses(actor, entitlement, area)
  const cohortId = cohort?.id ?? null

  let rows: FigureRow[]
  let asAt: Date | null
  if (area.level === 'caseload') {
    rows = await caseloadFigures(db, actor.userId, moments)
    asAt = moments.now
  } else {
    const refresh = await lastRefresh(db)
    asAt = refresh?.refreshed_at ?? null
    rows = await readFigures(db, { level: area.level, areaIds: area.id ? [area.id] : null, cohortId, period })
  }
  const agencyIds = [...new Set(rows.filter((r) => r.measure === 'plans').map((r) => r.key.split(':')[1]!))]
  const agencies = new Map((await agenciesByIds(db, agencyIds)).map((a) => [a.id, a]))
  const measures = buildMeasures({
    rows,
    cohortId,
    period,
    today: moments.today,
    hide,
    cohorts,
    agencies,
    byAgencyKind: area.level === 'nation',
  })

  const childLevel = CHILD_LEVEL[area.level]
  const children = childLevel ? await childAreas(db, area) : []
  const breakdown =
    childLevel && children.length
      ? childrenTable({
          level: childLevel,
          areas: children,
          rows: await readFigures(db, {
            level: childLevel,
            areaIds: children.map((c) => c.id),
            cohortId,
            period,
          }),
          cohortId,
          period,
          hide,
          query: { cohort: cohort?.code, period },
        })
      : null

  return {
    area,
    areaValue:
      area.level === 'caseload' || area.level === 'nation' ? area.level : `${area.level}:${area.code}`,
    cohort: cohort ?? null,
    period: { code: period, ...PERIODS[period] },
    asAt,
    stale: !!asAt && moments.now.getTime() - asAt.getTime() > STALE_AFTER_MS,
    live: area.level === 'caseload',
    hide,
    measures,
    breakdown,
    choices: {
      areas: await areaChoices(db, actor, entitlement, area),
      cohorts: cohorts.map((c) => ({ value: c.code, text: c.name })),
      periods: Object.entries(PERIODS).map(([value, p]) => ({ value, text: p.label })),
    },
  }
}
export type Dashboard = Awaited<ReturnType<typeof dashboardFor>>
