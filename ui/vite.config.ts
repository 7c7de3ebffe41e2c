// Vite + vitest configuration for the Hoist web UI. `npm run build` writes ui/dist, which the
// Tauri shell serves; `npm run dev` serves on 127.0.0.1:1420 (Tauri's devUrl) with the mock
// backend when not inside Tauri.
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  base: './',
  clearScreen: false,
  server: {
    host: '127.0.0.1',
    port: 1420,
    strictPort: true,
  },
  preview: {
    host: '127.0.0.1',
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline polyfill script: index.html must run under a strict CSP.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
