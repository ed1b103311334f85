import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;
const fromRoot = (...p: string[]) => resolve(root, ...p);

/**
 * Main-process entries. The core (core/, api/) is bundled into out/main; npm dependencies stay
 * external and ship in the packaged node_modules. The worker pool's thread script is added as
 * `out/main/worker-thread.js` once worker/thread-entry.ts exists.
 */
function mainEntries(): Record<string, string> {
  // cli.js is the `jetdeck` command (bin/jetdeck.mjs), shipped as JavaScript like the main process.
  const entries: Record<string, string> = {
    index: fromRoot('electron/main.ts'),
    cli: fromRoot('core/cli/main.ts'),
  };
  const workerThread = fromRoot('worker/thread-entry.ts');
  if (existsSync(workerThread)) entries['worker-thread'] = workerThread;
  return entries;
}

export default defineConfig({
  main: {
    build: {
      outDir: fromRoot('out/main'),
      // The same bundle runs in Electron and, as the CLI, on the user's Node (20.19+).
      target: 'node20.19',
      rolldownOptions: {
        input: mainEntries(),
        // tsx is a dev dependency (TS handler modules in a source checkout): loaded, never bundled.
        external: ['tsx', /^tsx\//],
        // Shared chunks sit beside the entries, so `new URL('./worker-thread.js', import.meta.url)`
        // finds the thread script from whichever chunk the pool's code lands in.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: fromRoot('out/preload'),
      // Sandboxed preloads cannot require() local files nor be ES modules: one self-contained CJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: fromRoot('electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: fromRoot('renderer'),
    // Relative asset URLs: the same build is served from app://jetdeck/ and by `jetdeck serve`.
    base: './',
    plugins: [react()],
    build: {
      outDir: fromRoot('out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves bundles unminified; the renderer is also served over HTTP by serve.
      minify: true,
      // A desktop app's one bundle, read from disk or loopback: no need to split it for the network.
      chunkSizeWarningLimit: 1024,
      rolldownOptions: { input: fromRoot('renderer/index.html') },
    },
  },
});
