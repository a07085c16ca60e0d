import { CASEWORK_ROLES, hasRole, type Actor, type Role } from '../access/actor.js'

interface NavigationItem {
  text: string
  href: string
  roles: readonly Role[]
  /** Listed, but never where a role starts (the first entry a role has that is not this). */
  notStart?: true
}

/** The service navigation, by role. A module adds its entry here when its pages exist. */
const NAVIGATION: NavigationItem[] = [
  { text: 'My day', href: '/', roles: CASEWORK_ROLES },
  {
    text: 'Caseload',
    href: '/caseload',
    roles: ['practitioner', 'manager', 'partner_worker', 'provider', 'coordinator'],
  },
  { text: 'Appointments', href: '/appointments', roles: CASEWORK_ROLES },
  { text: 'Allocations', href: '/allocations', roles: ['manager'] },
  { text: 'Team caseloads', href: '/caseload/team', roles: ['manager'] },
  { text: 'Search', href: '/search', roles: CASEWORK_ROLES },
  { text: 'Cohorts', href: '/cohorts', roles: ['coordinator', 'manager'] },
  { text: 'Duplicate work', href: '/plans/duplicates', roles: ['coordinator', 'manager'] },
  { text: 'Templates', href: '/templates', roles: ['coordinator'] },
  {
    text: 'Dashboards',
    href: '/dashboards',
    roles: ['practitioner', 'manager', 'coordinator', 'analyst'],
    notStart: true,
  },
  { text: 'Insight', href: '/insight', roles: ['analyst', 'manager', 'coordinator'] },
  { text: 'Fairness', href: '/fairness', roles: ['analyst'] },
  { text: 'Access log', href: '/access-log', roles: ['data_protection_officer'] },
  { text: 'Admin', href: '/admin', roles: ['administrator'] },
  { text: 'Identity', href: '/identity', roles: ['administrator'] },
  { text: 'Rules', href: '/rules', roles: ['coordinator', 'administrator'] },
]

export function navigationFor(actor: Actor | null, currentPath: string) {
  if (!actor) return []
  return NAVIGATION.filter((item) => hasRole(actor, ...item.roles)).map((item) => ({
    text: item.text,
    href: item.href,
    active:
      item.href === '/'
        ? currentPath === '/'
        : currentPath === item.href || currentPath.startsWith(`${item.href}/`),
  }))
}

/** Where a role starts after signing in: the first page its navigation offers. */
export function startPageFor(actor: Actor): string {
  return NAVIGATION.find((item) => !item.notStart && hasRole(actor, ...item.roles))?.href ?? '/account'
}
