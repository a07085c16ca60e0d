import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each file gets its own database; on PGlite that costs CPU, so match the cores.
    pool: 'forks',
    // One migrated database for the run; each file starts from a copy.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser tests start a server and Chromium each; they run after the rest.
    sequence: { groupOrder: 0 },
  },
})
