import { z } from 'zod'

/** Rolling periods, each ending today and cut into equal buckets for the figures over time. */
export const PERIODS = {
  '4w': { days: 28, bucketDays: 7, label: 'Last 4 weeks' },
  '13w': { days: 91, bucketDays: 7, label: 'Last 13 weeks (3 months)' },
  '52w': { days: 364, bucketDays: 28, label: 'Last 52 weeks (12 months)' },
} as const
export type PeriodCode = keyof typeof PERIODS
export const PERIOD_CODES = Object.keys(PERIODS) as PeriodCode[]
export const DEFAULT_PERIOD: PeriodCode = '13w'

/** Each measure the page shows, in order; each can be downloaded as CSV. */
export const MEASURES = [
  'caseload',
  'flags',
  'acknowledgement',
  'attendance',
  'accommodation',
  'cohorts',
  'plans',
] as const
export type Measure = (typeof MEASURES)[number]

export const LEVELS = ['caseload', 'team', 'pdu', 'region', 'nation'] as const
export type Level = (typeof LEVELS)[number]

const single = (v: unknown) => (Array.isArray(v) ? v[0] : v)
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)

/**
 * The area is written `caseload`, `nation` or `level:code` (codes of regions, delivery units
 * and teams are unique); the cohort by its code. Whether the area exists, and whether the
 * user may see it, is for the service to decide.
 */
export const DashboardQuery = z.object({
  area: z.preprocess(
    (v) => blankToUndefined(single(v)),
    z
      .string()
      .regex(/^(caseload|nation|(region|pdu|team):[A-Za-z0-9_-]{1,40})$/, 'Choose an area from the list')
      .optional(),
  ),
  cohort: z.preprocess(
    (v) => blankToUndefined(single(v)),
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'Choose a cohort from the list')
      .optional(),
  ),
  period: z.preprocess(
    (v) => blankToUndefined(single(v)),
    z
      .enum(PERIOD_CODES as [PeriodCode, ...PeriodCode[]], { message: 'Choose a period from the list' })
      .optional(),
  ),
})
export type DashboardQueryValue = z.infer<typeof DashboardQuery>

export const MeasureParam = z.enum(MEASURES)

/** An area as written in the query string. */
export function parseArea(area: string): { level: Level; code: string | null } {
  if (area === 'caseload' || area === 'nation') return { level: area, code: null }
  const [level, code] = area.split(':') as [Level, string]
  return { level, code }
}
