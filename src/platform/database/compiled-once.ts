import { createQueryId, type Compilable, type CompiledQuery, type QueryResult } from 'kysely'
import type { Queryable } from './database.js'

/** Stands in for an argument while the query is built, so its place among the parameters is known. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * A query built and compiled to SQL once, then run with each call's values in place: for a hot
 * query whose SQL never depends on its arguments, only its parameters do. Kysely builds a tree
 * and compiles it on every call, which for the person page was a tenth of the server's work.
 *
 * `build` is given stand-ins for the arguments: each may only be passed on as a value (in a
 * comparison, `sql` template or limit), never looked at, as what it holds is not known yet.
 */
export function compiledOnce<Args extends Record<string, unknown>, Row>(
  build: (db: Queryable, args: Args) => Compilable<Row>,
) {
  let compiled: { query: CompiledQuery<Row>; slots: (keyof Args | null)[] } | null = null
  return async (db: Queryable, args: Args): Promise<QueryResult<Row>> => {
    if (!compiled) {
      const slots = Object.fromEntries(Object.keys(args).map((name) => [name, new Slot(name)])) as Args
      const query = build(db, slots).compile()
      compiled = {
        query,
        slots: query.parameters.map((value) => (value instanceof Slot ? (value.name as keyof Args) : null)),
      }
    }
    const { query, slots } = compiled
    const parameters = query.parameters.map((value, i) => (slots[i] ? args[slots[i]] : value))
    return db.executeQuery<Row>({ ...query, queryId: createQueryId(), parameters })
  }
}
