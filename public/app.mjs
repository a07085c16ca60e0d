// Progressive enhancement only: every page works without this script.
import { initAll } from '/vendor/govuk/govuk-frontend.min.js'
import { initAll as initMoj } from '/vendor/moj/moj-frontend.min.js'

initAll()
initMoj()
