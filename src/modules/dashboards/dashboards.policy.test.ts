import { describe, expect, it } from 'vitest'
import type { Actor, Role } from '../../platform/access/actor.js'
import { defaultArea, entitlementOf, mayView, suppresses, type Area } from './dashboards.policy.js'
import { momentsAt, bucketsOf } from './periods.js'

const actor = (roles: Role[], teamIds: string[] = []): Actor => ({
  userId: 'u',
  kind: 'person',
  displayName: 'U',
  email: 'u@test',
  agencyId: 'a',
  agencyName: 'A',
  agencyKind: 'probation',
  roles,
  teamIds,
  scopes: null,
})
const area = (
  level: Area['level'],
  id: string | null,
  pduId: string | null,
  regionId: string | null,
): Area => ({
  level,
  id,
  code: id,
  name: id ?? level,
  pduId,
  regionId,
})
const teams = [{ id: 't1', pduId: 'p1', regionId: 'r1' }]
const places = {
  caseload: area('caseload', null, null, null),
  nation: area('nation', null, null, null),
  r1: area('region', 'r1', null, 'r1'),
  p1: area('pdu', 'p1', 'p1', 'r1'),
  p2: area('pdu', 'p2', 'p2', 'r1'),
  t1: area('team', 't1', 'p1', 'r1'),
  t2: area('team', 't2', 'p1', 'r1'),
  t3: area('team', 't3', 'p2', 'r1'),
  t9: area('team', 't9', 'p9', 'r9'),
}
const visible = (a: Actor, agencyRegionId: string | null) => {
  const e = entitlementOf(a, { teams: a.teamIds.length ? teams : [], agencyRegionId })
  return Object.entries(places)
    .filter(([, p]) => mayView(e, p))
    .map(([name]) => name)
}

describe('who may see which dashboard', () => {
  it('gives each role its areas and everything below them', () => {
    expect(visible(actor(['practitioner'], ['t1']), 'r1')).toEqual(['caseload'])
    expect(visible(actor(['manager'], ['t1']), 'r1')).toEqual(['caseload', 'p1', 't1', 't2'])
    expect(visible(actor(['coordinator'], ['t1']), null)).toEqual(['r1', 'p1', 'p2', 't1', 't2', 't3'])
    expect(visible(actor(['analyst']), 'r1')).toEqual(['r1', 'p1', 'p2', 't1', 't2', 't3'])
    expect(visible(actor(['analyst']), null)).toEqual(['nation', 'r1', 'p1', 'p2', 't1', 't2', 't3', 't9'])
    expect(visible(actor(['partner_worker'], ['t1']), 'r1')).toEqual([])
  })

  it('hides small numbers from analysts always, and from others beyond their own caseload and team', () => {
    const manager = actor(['manager'], ['t1'])
    const e = entitlementOf(manager, { teams, agencyRegionId: 'r1' })
    expect(suppresses(manager, e, places.t1)).toBe(false)
    expect(suppresses(manager, e, places.t2)).toBe(true)
    expect(suppresses(manager, e, places.p1)).toBe(true)
    expect(suppresses(manager, e, places.caseload)).toBe(false)
    const analyst = actor(['analyst', 'manager'], ['t1'])
    expect(suppresses(analyst, entitlementOf(analyst, { teams, agencyRegionId: null }), places.t1)).toBe(true)
  })

  it('opens on the narrowest area a user works in', () => {
    expect(
      defaultArea(
        actor(['practitioner']),
        entitlementOf(actor(['practitioner']), { teams, agencyRegionId: null }),
      ),
    ).toEqual({ level: 'caseload', id: null })
    const manager = actor(['manager'], ['t1'])
    expect(defaultArea(manager, entitlementOf(manager, { teams, agencyRegionId: null }))).toEqual({
      level: 'team',
      id: 't1',
    })
    const analyst = actor(['analyst'])
    expect(defaultArea(analyst, entitlementOf(analyst, { teams: [], agencyRegionId: null }))).toEqual({
      level: 'nation',
      id: null,
    })
  })
})

describe('periods', () => {
  it('end today in London and hold whole weeks or 4-week blocks', () => {
    const moments = momentsAt(new Date('2026-07-01T23:30:00Z'))
    expect(moments.today).toBe('2026-07-02')
    expect(moments.periods.map((p) => [p.code, p.startsOn, p.startsAt.toISOString()])).toEqual([
      ['4w', '2026-06-05', '2026-06-04T23:00:00.000Z'],
      ['13w', '2026-04-03', '2026-04-02T23:00:00.000Z'],
      ['52w', '2025-07-04', '2025-07-03T23:00:00.000Z'],
    ])
    const weeks = bucketsOf('4w', '2026-07-02')
    expect(weeks.map((w) => w.label)).toEqual([
      'Week from 5 June 2026',
      'Week from 12 June 2026',
      'Week from 19 June 2026',
      'Week from 26 June 2026',
    ])
    expect(bucketsOf('52w', '2026-07-02')).toHaveLength(13)
  })
})
