import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import fastifyView from '@fastify/view'
import type { FastifyInstance } from 'fastify'
import nunjucks from 'nunjucks'
import { AGENCY_KIND_NAMES, ALLOCATION_ROLE_NAMES, ROLE_NAMES } from '../access/actor.js'
import { formatDate, formatDateTime, formatTime, humanise } from './format.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../../..')
const modules = (name: string) => path.join(root, 'node_modules', name)

/** Folders Nunjucks looks in: our layout, module views ('admin/views/…'), then the design systems. */
const TEMPLATE_PATHS = [
  path.join(here, 'templates'),
  path.join(root, 'src/modules'),
  path.join(root, 'src/platform'),
  modules('govuk-frontend/dist'),
  modules('@ministryofjustice/frontend'),
]

export function configureNunjucks(env: nunjucks.Environment): void {
  env.addFilter('govukDate', formatDate)
  env.addFilter('govukDateTime', formatDateTime)
  env.addFilter('govukTime', formatTime)
  env.addFilter('humanise', humanise)
  env.addFilter('roleName', (role: keyof typeof ROLE_NAMES) => ROLE_NAMES[role] ?? role)
  env.addFilter('allocationRole', (role: string) => ALLOCATION_ROLE_NAMES[role] ?? humanise(role))
  env.addFilter('agencyKindName', (kind: keyof typeof AGENCY_KIND_NAMES) => AGENCY_KIND_NAMES[kind] ?? kind)
  /** Items for govukSelect/Radios/Checkboxes from [{ value, text }], marking those chosen. */
  env.addFilter(
    'choices',
    (options: { value: string; text: string }[], chosen: string | string[] | undefined) => {
      const picked = new Set(Array.isArray(chosen) ? chosen : chosen ? [chosen] : [])
      return options.map((o) => ({ ...o, selected: picked.has(o.value), checked: picked.has(o.value) }))
    },
  )
}

export async function registerViews(app: FastifyInstance, production: boolean): Promise<void> {
  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: TEMPLATE_PATHS,
    production,
    options: {
      onConfigure: configureNunjucks,
      autoescape: true,
      throwOnUndefined: false,
      noCache: !production,
    },
    defaultContext: { serviceName: 'Tandem' },
  })

  // Design-system CSS, JavaScript, fonts and images, served from the installed packages.
  await app.register(fastifyStatic, {
    root: [
      path.join(root, 'public'),
      modules('govuk-frontend/dist/govuk/assets'),
      modules('@ministryofjustice/frontend/moj/assets'),
    ],
    prefix: '/assets/',
    maxAge: production ? '1d' : 0,
  })
  await app.register(fastifyStatic, {
    root: modules('govuk-frontend/dist/govuk'),
    prefix: '/vendor/govuk/',
    decorateReply: false,
    allowedPath: (pathName) => /\.min\.(css|js)(\.map)?$/.test(pathName),
  })
  await app.register(fastifyStatic, {
    root: modules('@ministryofjustice/frontend/moj'),
    prefix: '/vendor/moj/',
    decorateReply: false,
    allowedPath: (pathName) => /\.min\.(css|js)(\.map)?$/.test(pathName),
  })
}
