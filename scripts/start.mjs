#!/usr/bin/env node
// `npm start`: the desktop app where Electron is usable (built first when out/ is missing or
// older than the sources), otherwise one line saying why and `jetdeck serve`. Extra arguments
// (`npm start -- --port 9000`) are passed on as serve flags for that fallback.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../core/cli/main.ts', import.meta.url).href);
await runCli([process.argv[0], 'jetdeck', 'desktop', ...process.argv.slice(2)]);
