import { pino } from 'pino'
import { ConfigError, loadConfig } from './config.js'
import { connect } from './platform/database/database.js'
import { migrate } from './platform/database/migrate.js'
import { startWorker } from './platform/outbox/worker.js'
import { startNatsConsumer } from './modules/integration/nats-consumer.js'
import { backgroundJobs, subscribers } from './subscribers.js'

/**
 * The background worker as a process of its own (`npm run worker`): the outbox lanes, the sweeps
 * and the NATS consumer. `npm start` forks one on PostgreSQL, so that a busy stream of events and
 * the pages people are waiting for each have an event loop and a core.
 */
async function main() {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
  const log = pino({ level: config.logLevel, name: 'worker' })
  // Each lane holds a connection for its pass; the sweeps and the NATS consumer share the rest.
  const database = await connect(
    config.database.kind === 'postgres'
      ? { ...config.database, poolSize: Math.min(config.database.poolSize, config.workerLanes + 3) }
      : config.database,
  )
  await migrate(database)
  const worker = startWorker({
    db: database.db,
    subscribers: subscribers(),
    jobs: backgroundJobs(),
    log,
    lanes: config.workerLanes,
  })
  const nats = config.nats ? await startNatsConsumer(database.db, config.nats, log) : null
  log.info({ lanes: config.workerLanes }, 'worker started')

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info(`${signal}: stopping`)
    await nats?.stop()
    await worker.stop()
    await database.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  // Forked by npm start: go when the server goes, even if it could not say so.
  process.on('disconnect', () => void stop('server gone'))
}

await main()
