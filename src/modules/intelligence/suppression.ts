/**
 * Small-number suppression for aggregate tables, pure. A count from 1 to SUPPRESS_BELOW − 1 is
 * not shown (primary suppression). Where a table's groups add up to a total that is shown, one
 * hidden count could be worked out by subtraction, so further counts are hidden too, smallest
 * first, until at least two are hidden and together they come to SUPPRESS_BELOW or more
 * (complementary suppression). A rate is hidden with its count, and with its base.
 */

export const SUPPRESS_BELOW = 5
/** A group's rate this many times the overall rate or more (or its inverse or less) is marked. */
export const DISPARITY_RATIO = 1.25

export interface Count {
  value: number
  suppressed: boolean
  /** Hidden only so that a smaller hidden count cannot be worked out. */
  secondary?: boolean
}

export interface Rate {
  count: Count
  /** Share of the base, 0–1; null when hidden or the base is too small. */
  rate: number | null
  /** This rate over the rate for everyone; null when either is unknown. */
  ratio: number | null
  disparity: 'higher' | 'lower' | null
}

const small = (n: number) => n > 0 && n < SUPPRESS_BELOW

/** A count shown alone (no total it adds up to): hidden only when small. */
export function count(value: number): Count {
  return shown(value, small(value))
}

export function shown(value: number, hidden: boolean): Count {
  if (!hidden) return { value, suppressed: false }
  return small(value) ? { value: 0, suppressed: true } : { value: 0, suppressed: true, secondary: true }
}

/** Which of the counts of groups that add up to a shown total must be hidden. */
export function hiddenCells(values: readonly number[]): Set<number> {
  const hidden = new Set(values.flatMap((v, i) => (small(v) ? [i] : [])))
  const sum = () => [...hidden].reduce((total, i) => total + values[i]!, 0)
  while (hidden.size > 0 && (hidden.size === 1 || sum() < SUPPRESS_BELOW)) {
    const next = values
      .map((v, i) => ({ v, i }))
      .filter(({ v, i }) => v > 0 && !hidden.has(i))
      .sort((a, b) => a.v - b.v)[0]
    if (!next) break
    hidden.add(next.i)
  }
  return hidden
}

/**
 * A count with its rate over `base` and the ratio of that rate to `overall`.
 * @param hide.count hide the count (and so the rate); hide.base hide the rate, which would reveal the base.
 */
export function rateOf(
  n: number,
  base: number,
  overall: number | null,
  hide = { count: small(n), base: false },
): Rate {
  const rate = hide.count || hide.base || base < SUPPRESS_BELOW ? null : n / base
  const ratio = rate === null || !overall ? null : rate / overall
  // Marked only with enough to go on: 5 or more counted, or 5 or more expected at the overall rate.
  const enough = ratio !== null && Math.max(n, base * overall!) >= SUPPRESS_BELOW
  const disparity = !enough
    ? null
    : ratio >= DISPARITY_RATIO
      ? 'higher'
      : ratio <= 1 / DISPARITY_RATIO
        ? 'lower'
        : null
  return { count: shown(n, hide.count), rate, ratio, disparity }
}
