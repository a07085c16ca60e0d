/* global window, EventSource */
// My day, live: while the page is open, the flags section is replaced when a flag about one of
// my people is raised or closed. Progressive enhancement only: a reload shows the same thing.
const region = document.getElementById('my-day-flags')
const status = document.getElementById('my-day-live-status')
if (region && status && 'EventSource' in window) {
  const source = new EventSource('/my-day/events')
  source.addEventListener('flags', (event) => {
    region.innerHTML = event.data
    const time = new Date().toLocaleTimeString('en-GB', { hour: 'numeric', minute: '2-digit' })
    status.textContent = `Flags updated at ${time}`
  })
  window.addEventListener('pagehide', () => source.close())
}
