/** Time, injectable so that timeouts and deadlines can be tested without waiting. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock tests can move forward by hand. */
export function fixedClock(
  start: Date | string,
): Clock & { advance(ms: number): void; set(to: Date | string): void } {
  let current = new Date(start)
  return {
    now: () => new Date(current),
    advance(ms) {
      current = new Date(current.getTime() + ms)
    },
    set(to) {
      current = new Date(to)
    },
  }
}
