import { afterAll, beforeAll, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { publish } from '../../platform/outbox/outbox.js'
import { recentFlagEventsOfMyPeople } from './flags.service.js'

let database: TestDatabase
let practitioner: string
let mine: string
let someoneElses: string

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  const agency = await f.makeAgency(db)
  practitioner = await f.makeUser(db, { agencyId: agency, roles: ['practitioner'] })
  mine = (await f.makePerson(db, { leadAgencyId: agency })).id
  someoneElses = (await f.makePerson(db, { leadAgencyId: agency })).id
  await f.allocate(db, mine, practitioner, { agencyId: agency, isLead: true })
})
afterAll(() => database.destroy())

const flagRaised = (personId: string) => ({ type: 'flag.raised', personId, payload: {} })

it('tells a live My day of flag events about my people only', async () => {
  const before = await recentFlagEventsOfMyPeople(database.db, practitioner)
  await publish(database.db, flagRaised(someoneElses))
  expect(await recentFlagEventsOfMyPeople(database.db, practitioner)).toEqual(before)
  await publish(database.db, flagRaised(mine))
  expect(await recentFlagEventsOfMyPeople(database.db, practitioner)).toHaveLength(before.length + 1)
})

it.runIf(engine === 'postgres')(
  'still reports a flag event that commits after a later one (two workers commit in their own order)',
  async () => {
    const db = database.db
    let commit = () => {}
    let published = () => {}
    const isPublished = new Promise<void>((resolve) => (published = resolve))
    const slow = db.transaction().execute(async (tx) => {
      await publish(tx, flagRaised(mine))
      published()
      await new Promise<void>((resolve) => (commit = resolve))
    })
    await isPublished
    await publish(db, flagRaised(mine))
    const seen = await recentFlagEventsOfMyPeople(db, practitioner)
    commit()
    await slow
    const late = (await recentFlagEventsOfMyPeople(db, practitioner)).filter((id) => !seen.includes(id))
    expect(late).toHaveLength(1)
    // A page that only asked for ids above the highest it had seen would never have found it.
    expect(late[0]).toBeLessThan(Math.max(...seen))
  },
)
