#!/usr/bin/env node
// The `jetdeck` command. The CLI is TypeScript run through tsx's loader, so there is no
// separate build step for the command line.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../core/cli/main.ts', import.meta.url).href);
await runCli(process.argv);
