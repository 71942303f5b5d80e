/**
 * Builds the analyst console into dist/console/, served by the decision server at /console/ under a
 * strict CSP: hashed files under assets/, and no inline script (the module-preload polyfill Vite
 * would otherwise inline is off; every browser the risk team uses supports modulepreload). Also the
 * Vitest configuration of the console's component tests.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/** This folder, whatever the working directory (npm scripts run from the package root). */
const here = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    // charts are a lazy chunk; keep images and fonts out of data: URLs beyond tiny ones
    assetsInlineLimit: 1024,
  },
  test: {
    root: here,
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
  },
});
