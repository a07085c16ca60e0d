import { formatDate, formatDateTime, humanise } from '../../platform/views/format.js'
import type { PersonRecord } from './people.repository.js'
import type { CustodyFacts, SentenceFacts } from './journey.js'

interface SummaryFacts {
  person: PersonRecord
  age: number
  sentences: SentenceFacts[]
  custody: CustodyFacts[]
  workers: { display_name: string; agency_name: string; is_lead: boolean }[]
  appointments: { starts_at: string | Date }[]
  address: { kind: string; town: string | null } | null
}

/** Day and month, with the year only when it is not this year: "3 March", "2 December 2027". */
function shortDate(iso: string, thisYear: string): string {
  const full = formatDate(iso)
  return iso.startsWith(thisYear) ? full.replace(/ \d{4}$/, '') : full
}

/**
 * A plain-language paragraph about the person from the structured record, saying only what
 * the reader may see: "Sam Taylor, 27, was released from HMP Birmingham on 3 March on licence
 * until 2 December. …"
 */
export function describePerson(facts: SummaryFacts, today: string): string {
  const { person } = facts
  const year = today.slice(0, 4)
  const [they, their] =
    person.gender === 'male' ? ['He', 'his'] : person.gender === 'female' ? ['She', 'her'] : ['They', 'their']
  const is = they === 'They' ? 'are' : 'is'
  const sentences: string[] = []
  const name = `${person.firstName} ${person.lastName}, ${facts.age}`
  const current = facts.sentences[0]
  const episode = facts.custody[0]
  if (current && person.custodyStatus === 'in_custody' && episode) {
    const release = current.expected_release_on
      ? `, with release expected on ${shortDate(current.expected_release_on, year)}`
      : ''
    sentences.push(
      `${name}, is in ${episode.prison_name} serving a ${current.description.toLowerCase()} for ${current.offence.toLowerCase()}${release}.`,
    )
  } else if (current && person.custodyStatus === 'released_on_licence' && episode?.released_on) {
    const until = current.licence_end_on ? ` until ${shortDate(current.licence_end_on, year)}` : ''
    sentences.push(
      `${name}, was released from ${episode.prison_name} on ${shortDate(episode.released_on, year)} on licence${until}.`,
    )
  } else if (current) {
    const until = current.sentence_end_on ? `, which ends on ${shortDate(current.sentence_end_on, year)}` : ''
    sentences.push(
      `${name}, is serving a ${current.description.toLowerCase()} for ${current.offence.toLowerCase()}${until}.`,
    )
  } else {
    sentences.push(`${name}.`)
  }
  const lead = facts.workers.find((w) => w.is_lead)
  if (lead)
    sentences.push(
      `${their.charAt(0).toUpperCase()}${their.slice(1)} case is managed by ${lead.display_name} (${lead.agency_name}).`,
    )
  const others = facts.workers.filter((w) => !w.is_lead).map((w) => `${w.agency_name}`)
  if (others.length)
    sentences.push(
      `${others.join(' and ')} ${others.length > 1 ? 'are' : 'is'} also working with ${their === 'their' ? 'them' : their === 'his' ? 'him' : 'her'}.`,
    )
  if (person.roshLevel) {
    const tier = person.tier ? `, tier ${person.tier}` : ''
    const mappa = person.mappaCategory
      ? `, and managed under MAPPA category ${person.mappaCategory} at level ${person.mappaLevel}`
      : ''
    sentences.push(
      `${they} ${is} assessed as ${humanise(person.roshLevel).toLowerCase()} risk of serious harm${tier}${mappa}.`,
    )
  }
  if (facts.address?.kind === 'no_fixed_abode')
    sentences.push(`${they} ${they === 'They' ? 'have' : 'has'} no fixed abode.`)
  const next = facts.appointments[0]
  if (next)
    sentences.push(
      `${their.charAt(0).toUpperCase()}${their.slice(1)} next appointment is on ${formatDateTime(next.starts_at).replace(` ${year} at`, ' at')}.`,
    )
  return sentences.join(' ')
}
