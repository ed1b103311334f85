#!/usr/bin/env node
// `npm start`: the desktop app where Electron is usable (built first when out/ is missing or
// older than the sources), otherwise one line saying why and `jetdeck serve`. Extra arguments
// (`npm start -- --port 9000`) are passed on as serve flags for that fallback.
process.argv.splice(2, 0, 'desktop');
await import('../bin/jetdeck.mjs');
