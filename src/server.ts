import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyBaseLogger } from 'fastify'
import { buildApp } from './app.js'
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './cli/seed/estate.js'
import { isEmpty, seed } from './cli/seed/seed.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { connect } from './platform/database/database.js'
import { migrate } from './platform/database/migrate.js'
import { startWorker } from './platform/outbox/worker.js'
import { startNatsConsumer } from './modules/integration/nats-consumer.js'
import { backgroundJobs, subscribers } from './subscribers.js'

const DEMO_PEOPLE = 300

/**
 * Runs src/worker in a child process, started again if it dies. The embedded database lives
 * inside this process, so there the worker runs in-process instead.
 */
function forkWorker(log: FastifyBaseLogger) {
  const here = fileURLToPath(import.meta.url)
  const entry = path.join(path.dirname(here), `worker${path.extname(here)}`)
  let child: ChildProcess | null = null
  let stopping = false
  const start = () => {
    child = fork(entry, [], { stdio: 'inherit' })
    child.on('exit', (code, signal) => {
      if (stopping) return
      log.error({ code, signal }, 'worker process stopped; starting another')
      setTimeout(start, 1000)
    })
  }
  start()
  return {
    async stop() {
      stopping = true
      const running = child
      if (!running || running.exitCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGTERM')
      const timeout = setTimeout(() => running.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timeout)
    },
  }
}

/** `npm start`: migrate, seed a demo region on first start, then serve pages and run the worker. */
async function main() {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
  const database = await connect(config.database)
  await migrate(database)
  const seedDemo = config.seedDemo && (await isEmpty(database))
  if (seedDemo) {
    console.log(`First start: seeding a demo region with ${DEMO_PEOPLE} people…`)
    const summary = await seed(database, { people: DEMO_PEOPLE, regions: 1, progress: false })
    console.log(
      `Seeded ${summary.people} people and ${summary.timelineEvents} timeline events in ${summary.seconds.toFixed(1)} s.`,
    )
  }
  const app = await buildApp({ config, db: database.db })
  const worker = !config.runWorker
    ? null
    : config.database.kind === 'postgres'
      ? forkWorker(app.log)
      : startWorker({
          db: database.db,
          subscribers: subscribers(),
          jobs: backgroundJobs(),
          log: app.log,
          lanes: config.workerLanes,
        })
  // With PostgreSQL the NATS consumer runs in the worker process.
  const nats =
    config.nats && config.runWorker && config.database.kind !== 'postgres'
      ? await startNatsConsumer(database.db, config.nats, app.log)
      : null
  const address = await app.listen({ host: config.host, port: config.port })
  const url = address.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost')

  console.log(`\nTandem is running at ${url}`)
  console.log(
    `Database: ${config.database.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite in ${config.database.dataDir}`}`,
  )
  const demo = await database.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', DEMO_ACCOUNTS[0]!.email)
    .executeTakeFirst()
  if (demo && config.env !== 'production') {
    console.log(`\nDemo accounts (password: ${DEMO_PASSWORD}):`)
    for (const account of DEMO_ACCOUNTS) console.log(`  ${account.email.padEnd(30)} ${account.description}`)
  }

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.log.info(`${signal}: stopping`)
    await app.close()
    await nats?.stop()
    await worker?.stop()
    await database.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

await main()
