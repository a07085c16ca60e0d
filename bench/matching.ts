import type { Db } from '../src/platform/database/database.js'
import { evaluate, lookalike, noisyCopy, Random, samplePeople } from '../src/cli/seed/identity-test-set.js'

/**
 * Identity matching against everyone in the benchmark database (matching only proposes; it
 * writes nothing): records about known people with realistic errors, and records about new
 * people built to resemble known ones.
 */
export async function measureMatching(db: Db, truePairs: number, newPeople: number) {
  const random = new Random(7)
  const { misses: _misses, ...figures } = await db.transaction().execute(async (tx) => {
    const known = await samplePeople(tx, truePairs + newPeople, 7)
    return evaluate(tx, [
      ...known.slice(0, truePairs).map((p) => noisyCopy(random, p)),
      ...known.slice(truePairs).map((p) => lookalike(random, p)),
    ])
  })
  return figures
}
