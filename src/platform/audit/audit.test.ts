import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { recordAudit } from './audit.js'
import { sealAuditLog, verifyAuditLog } from './audit-chain.js'

let database: TestDatabase
const origin = { route: 'test', requestId: null }

beforeAll(async () => {
  database = await freshDatabase()
})
afterAll(async () => {
  await database.destroy()
})

async function write(count: number) {
  for (let i = 0; i < count; i++) {
    await recordAudit(database.db, {
      actor: null,
      actorLabel: 'test',
      action: 'read',
      personIds: [],
      categories: ['identity'],
      origin,
      purpose: `entry ${i}`,
      detail: { n: i, nested: { b: 1, a: [1, 2] } },
    })
  }
}

describe(`audit log on ${engine}`, () => {
  it('seals records into a hash chain that verifies, across several sealing passes', async () => {
    await write(30)
    expect(await sealAuditLog(database.db, 10)).toBe(10)
    await write(5)
    while ((await sealAuditLog(database.db, 10)) > 0);
    const report = await verifyAuditLog(database.db, 7)
    expect(report).toMatchObject({ ok: true, sealed: 35, unsealed: 0, problems: [] })
  })

  it('refuses to change or delete a record, sealed or not', async () => {
    await write(1)
    await expect(
      sql`update audit_log set purpose = 'changed' where seq = 1`.execute(database.db),
    ).rejects.toThrow(/append-only/)
    await expect(
      sql`update audit_log set purpose = 'changed' where seq is null`.execute(database.db),
    ).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log where seq = 2`.execute(database.db)).rejects.toThrow(/append-only/)
  })

  it('detects a record altered or removed behind the trigger’s back', async () => {
    while ((await sealAuditLog(database.db)) > 0);
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(database.db)
    await sql`update audit_log set purpose = 'rewritten' where seq = 3`.execute(database.db)
    await sql`delete from audit_log where seq = 7`.execute(database.db)
    await sql`alter table audit_log enable trigger audit_log_append_only`.execute(database.db)
    const report = await verifyAuditLog(database.db)
    expect(report.ok).toBe(false)
    expect(report.problems).toContain('record 3 (id 3) has been altered since it was sealed')
    expect(report.problems.some((p) => p.includes('records 7 to 7 of the chain are missing'))).toBe(true)
  })

  it('does not serve a person’s record when its audit record cannot be written', async () => {
    const agencyId = await f.makeAgency(database.db)
    const userId = await f.makeUser(database.db, { agencyId, roles: ['practitioner'] })
    const person = await f.makePerson(database.db, { leadAgencyId: agencyId, lastName: 'Unauditable' })
    await f.allocate(database.db, person.id, userId, { agencyId, isLead: true })
    const app = await testApp(database.db)
    const client = new Client(app, await f.sessionCookie(database.db, userId))
    expect((await client.get(`/people/${person.crn}`)).statusCode).toBe(200)
    await sql`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end $$`.execute(
      database.db,
    )
    await sql`create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit()`.execute(
      database.db,
    )
    try {
      const response = await client.get(`/people/${person.crn}`)
      expect(response.statusCode).toBe(500)
      expect(response.body).not.toContain('Unauditable')
      expect(response.body).not.toContain('audit store unavailable')
      expect(response.body).toContain('Sorry, there is a problem with the service')
    } finally {
      await sql`drop trigger refuse_audit on audit_log`.execute(database.db)
      await app.close()
    }
  })
})
