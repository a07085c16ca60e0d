import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { evaluate, lookalike, noisyCopy, Random, samplePeople } from '../../cli/seed/identity-test-set.js'
import { seed } from '../../cli/seed/seed.js'

/**
 * Matching quality on a generated set with realistic errors: automatic links must almost never
 * be wrong (precision ≥ 0.995) and true matches must almost always be found, automatically or
 * for review (recall ≥ 0.95). The thresholds are asserted; the figures are printed.
 */
let database: TestDatabase

beforeAll(async () => {
  database = await freshDatabase()
  await seed(database, { people: 2000, regions: 1, today: new Date('2026-11-23T08:00:00Z') })
}, 120_000)
afterAll(async () => {
  await database.destroy()
})

describe(`matching quality on ${engine}`, () => {
  it('links automatically with precision ≥ 0.995 and finds true matches with recall ≥ 0.95', async () => {
    const random = new Random(42)
    const result = await database.db.transaction().execute(async (tx) => {
      const known = await samplePeople(tx, 800, 42)
      const records = [
        ...known.slice(0, 500).map((p) => noisyCopy(random, p)),
        ...known.slice(500).map((p) => lookalike(random, p)),
      ]
      return evaluate(tx, records)
    })
    console.log(
      `matching: precision ${result.precision.toFixed(4)}, recall ${result.recall.toFixed(4)}, review rate ${result.reviewRate.toFixed(3)}`,
      { ...result, misses: result.misses.slice(0, 10) },
    )
    expect(result.trueMatches).toBe(500)
    expect(result.precision).toBeGreaterThanOrEqual(0.995)
    expect(result.recall).toBeGreaterThanOrEqual(0.95)
  }, 120_000)
})
