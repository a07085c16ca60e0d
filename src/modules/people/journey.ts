import { formatDate } from '../../platform/views/format.js'

/**
 * A person's path through the justice system, worked out from their sentences and custody:
 * court, custody, release on licence, community supervision, and the end of the order.
 */

export interface SentenceFacts {
  description: string
  sentence_type: string
  offence: string
  sentenced_on: string
  expected_release_on: string | null
  licence_end_on: string | null
  sentence_end_on: string | null
  ended_on: string | null
}

export interface CustodyFacts {
  prison_name: string
  received_on: string
  released_on: string | null
}

export type StageName = 'Court' | 'Custody' | 'On licence' | 'Community supervision' | 'Ended'

export interface Stage {
  name: StageName
  start: string
  /** The day it ended, or is expected to end; null when open-ended. */
  end: string | null
  expected: boolean
  days: number
  detail: string
}

const DAY = 86_400_000
const days = (from: string, to: string) => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / DAY))
const minus = (iso: string, n: number) => new Date(Date.parse(iso) - n * DAY).toISOString().slice(0, 10)

/** The stages of the current (latest) sentence, in order, and which one the person is in today. */
export function buildJourney(sentences: SentenceFacts[], custody: CustodyFacts[], today: string) {
  const current = [...sentences].sort((a, b) => b.sentenced_on.localeCompare(a.sentenced_on))[0]
  if (!current)
    return { stages: [] as Stage[], current: null as Stage | null, daysInStage: null as number | null }
  const stages: Stage[] = []
  const add = (name: StageName, start: string, end: string | null, detail: string) => {
    const expected = !!end && end > today
    stages.push({ name, start, end, expected, days: days(start, end && end < today ? end : today), detail })
  }
  // Pre-sentence reports are usually written in the three weeks before sentence.
  add(
    'Court',
    minus(current.sentenced_on, 21),
    current.sentenced_on,
    `Sentenced: ${current.description.toLowerCase()} for ${current.offence.toLowerCase()}`,
  )
  const episode =
    custody.find((c) => c.received_on >= current.sentenced_on) ?? custody.find((c) => !c.released_on)
  if (episode) {
    const released = episode.released_on ?? current.expected_release_on
    add(
      'Custody',
      episode.received_on,
      released,
      episode.released_on
        ? `In ${episode.prison_name}`
        : `In ${episode.prison_name}; expected release ${formatDate(released)}`,
    )
    if (episode.released_on && current.licence_end_on) {
      add(
        'On licence',
        episode.released_on,
        current.licence_end_on,
        `Licence until ${formatDate(current.licence_end_on)}`,
      )
    }
  } else {
    add(
      'Community supervision',
      current.sentenced_on,
      current.sentence_end_on,
      `${current.description} until ${formatDate(current.sentence_end_on)}`,
    )
  }
  const end = current.ended_on ?? current.sentence_end_on
  if (end && end <= today) add('Ended', end, null, 'Order ended')
  const now =
    [...stages].reverse().find((s) => s.start <= today && (!s.end || s.end >= today || s.name === 'Ended')) ??
    null
  return { stages, current: now, daysInStage: now ? days(now.start, today) : null }
}

export interface Milestone {
  occurred_at: string
  title: string
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  )
}

const COLOURS: Record<StageName, string> = {
  Court: '#4c2c92',
  Custody: '#d4351c',
  'On licence': '#f47738',
  'Community supervision': '#1d70b8',
  Ended: '#505a5f',
}

/**
 * The journey as an accessible SVG: one bar per stage along a time axis, milestones as marks
 * beneath, and a title and description that say the same as the table shown beside it.
 */
export function journeySvg(stages: Stage[], milestones: Milestone[], today: string): string {
  if (stages.length === 0) return ''
  const width = 760
  const left = 170
  const right = 20
  const rowHeight = 34
  const first = stages[0]!.start
  const last = stages.reduce((max, s) => (s.end && s.end > max ? s.end : max), today)
  const span = Math.max(1, Date.parse(last) - Date.parse(first))
  const x = (iso: string) => left + ((Date.parse(iso) - Date.parse(first)) / span) * (width - left - right)
  const height = 60 + stages.length * rowHeight + 50
  const bars = stages
    .map((s, i) => {
      const y = 40 + i * rowHeight
      const x1 = x(s.start)
      const x2 = s.name === 'Ended' ? x1 + 6 : Math.max(x1 + 4, x(s.end ?? today))
      const dashes = s.expected ? ' stroke="#0b0c0c" stroke-dasharray="4 3"' : ''
      return (
        `<text x="${left - 10}" y="${y + 18}" text-anchor="end" font-size="14">${escapeXml(s.name)}</text>` +
        `<rect x="${x1.toFixed(1)}" y="${y + 4}" width="${(x2 - x1).toFixed(1)}" height="${rowHeight - 12}" fill="${COLOURS[s.name]}"${dashes}/>`
      )
    })
    .join('\n')
  const todayX = x(today)
  const marksY = 40 + stages.length * rowHeight + 10
  const marks = milestones
    .filter((m) => m.occurred_at.slice(0, 10) >= first)
    .map(
      (m) =>
        `<circle cx="${x(m.occurred_at.slice(0, 10)).toFixed(1)}" cy="${marksY}" r="5" fill="#0b0c0c"><title>${escapeXml(`${formatDate(m.occurred_at)}: ${m.title}`)}</title></circle>`,
    )
    .join('\n')
  const description = stages
    .map(
      (s) =>
        `${s.name} from ${formatDate(s.start)}${s.end && s.name !== 'Ended' ? ` to ${formatDate(s.end)}${s.expected ? ' (expected)' : ''}` : ''}`,
    )
    .join('; ')
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="journey-title journey-desc" class="app-journey" font-family="GDS Transport, arial, sans-serif">
<title id="journey-title">Journey through the current sentence</title>
<desc id="journey-desc">${escapeXml(description)}. Today is ${escapeXml(formatDate(today))}.</desc>
<text x="${left}" y="24" font-size="13">${escapeXml(formatDate(first))}</text>
<text x="${width - right}" y="24" font-size="13" text-anchor="end">${escapeXml(formatDate(last))}</text>
${bars}
<line x1="${todayX.toFixed(1)}" x2="${todayX.toFixed(1)}" y1="34" y2="${marksY + 12}" stroke="#0b0c0c" stroke-width="2"/>
<text x="${todayX.toFixed(1)}" y="${marksY + 30}" font-size="13" text-anchor="middle">Today</text>
<text x="${left - 10}" y="${marksY + 5}" text-anchor="end" font-size="14">Key events</text>
${marks}
</svg>`
}
