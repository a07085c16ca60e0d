import pg from 'pg'

export type OnNotify = (payload: string) => void

/** How long a dropped listening connection waits before it tries again. */
const RECONNECT_MS = 1000

/**
 * LISTEN for a whole process on one PostgreSQL connection of its own (a pooled connection is
 * shared, so cannot hold a LISTEN). When the connection drops it reconnects and listens again;
 * what was notified in the gap is lost, so every caller also catches up by other means.
 */
export class PostgresListener {
  private readonly handlers = new Map<string, Set<OnNotify>>()
  private client: pg.Client | null = null
  private connecting: Promise<pg.Client> | null = null
  private closed = false

  constructor(
    private readonly url: string,
    private readonly options: string,
  ) {}

  /** Never fails: while the connection is down, the handler waits for it to come back. */
  async listen(channel: string, onNotify: OnNotify): Promise<() => Promise<void>> {
    const known = this.handlers.get(channel)
    const handlers = known ?? new Set<OnNotify>()
    if (!known) this.handlers.set(channel, handlers)
    handlers.add(onNotify)
    try {
      const client = this.client ?? (await this.connect())
      if (!known) await client.query(`listen ${pg.escapeIdentifier(channel)}`)
    } catch {
      this.reconnectSoon()
    }
    // The connection goes on listening to the channel: another page will want it soon enough.
    return async () => void handlers.delete(onNotify)
  }

  async close() {
    this.closed = true
    await this.client?.end().catch(() => {})
    this.client = null
  }

  private connect(): Promise<pg.Client> {
    this.connecting ??= this.open().finally(() => (this.connecting = null))
    return this.connecting
  }

  private reconnectSoon() {
    if (this.closed) return
    setTimeout(() => void this.connect().catch(() => this.reconnectSoon()), RECONNECT_MS).unref()
  }

  /** Connects and listens to every channel asked for so far. */
  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, options: this.options })
    client.on('notification', ({ channel, payload }) => {
      for (const onNotify of this.handlers.get(channel) ?? []) onNotify(payload ?? '')
    })
    const dropped = () => {
      if (this.client !== client) return
      this.client = null
      this.reconnectSoon()
    }
    client.on('error', dropped)
    client.on('end', dropped)
    await client.connect()
    for (const channel of this.handlers.keys()) await client.query(`listen ${pg.escapeIdentifier(channel)}`)
    if (this.closed) {
      await client.end()
      throw new Error('closed')
    }
    this.client = client
    return client
  }
}
