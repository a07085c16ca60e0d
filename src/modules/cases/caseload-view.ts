import type { CaseloadSort } from './caseload.repository.js'
import type { CaseloadQueryValue } from './cases.schema.js'

/** The caseload table's columns, in order, with the sort each header applies. */
export const CASELOAD_COLUMNS: { sort: CaseloadSort; title: string }[] = [
  { sort: 'name', title: 'Name and CRN' },
  { sort: 'risk', title: 'Risk' },
  { sort: 'tier', title: 'Tier' },
  { sort: 'stage', title: 'Stage' },
  { sort: 'next', title: 'Next appointment' },
  { sort: 'flags', title: 'Active flags' },
  { sort: 'overdue', title: 'Overdue actions' },
]

/** The query string for a caseload page: filters kept, sort as given; defaults left out. */
export function caseloadQueryString(query: CaseloadQueryValue, sort: CaseloadSort, order: string) {
  const params = new URLSearchParams()
  if (query.risk) params.set('risk', query.risk)
  if (query.tier) params.set('tier', query.tier)
  if (query.stage) params.set('stage', query.stage)
  if (query.flagged) params.set('flagged', 'yes')
  if (query.overdue) params.set('overdue', 'yes')
  if (sort !== 'name') params.set('sort', sort)
  if (order !== 'ascending') params.set('order', order)
  const text = params.toString()
  return text ? `?${text}` : ''
}

/**
 * Sortable column headers as plain links (so sorting works without JavaScript), each with its
 * aria-sort state; following the current column's link reverses its order.
 */
export function caseloadHeaders(basePath: string, query: CaseloadQueryValue) {
  return CASELOAD_COLUMNS.map((column) => {
    const current = query.sort === column.sort
    const next = current && query.order === 'ascending' ? 'descending' : 'ascending'
    return {
      ...column,
      ariaSort: current ? query.order : 'none',
      href: `${basePath}${caseloadQueryString(query, column.sort, next)}`,
    }
  })
}

/** Whether any filter is applied. */
export function isFiltered(query: CaseloadQueryValue) {
  return !!(query.risk || query.tier || query.stage || query.flagged || query.overdue)
}
