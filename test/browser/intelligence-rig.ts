import { chromium } from 'playwright-core'
import { buildApp } from '../../src/app.js'
import { seed } from '../../src/cli/seed/seed.js'
import { systemClock } from '../../src/platform/clock.js'
import { intelligenceRoutes } from '../../src/modules/intelligence/intelligence.routes.js'
import { testConfig } from '../support/app.js'
import { freshDatabase } from '../support/database.js'
import { CHROMIUM, type BrowserRig } from './browser.js'

/** Like startRig, with the intelligence routes mounted here until app.ts mounts them. */
export async function startIntelligenceRig(): Promise<BrowserRig> {
  const database = await freshDatabase()
  await seed(database, { people: 120, regions: 1 })
  const deps = { config: testConfig(), db: database.db, clock: systemClock }
  const app = await buildApp(deps)
  if (!app.hasRoute({ method: 'GET', url: '/rules' })) intelligenceRoutes(app, deps)
  await app.ready()
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] })
  return {
    database,
    app,
    browser,
    baseUrl,
    async close() {
      await browser.close()
      await app.close()
      await database.destroy()
    },
  }
}
