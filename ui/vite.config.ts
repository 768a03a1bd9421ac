/// <reference types="vitest" />
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  // pdf.js (the preview) is a lazily loaded chunk of its own, hence the higher size limit
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'safari13',
    chunkSizeWarningLimit: 1500,
    // idle-floor.html: the bare page the idle-CPU benchmark compares the app with (scripts/bench-idle.sh)
    rollupOptions: { input: { main: 'index.html', floor: 'idle-floor.html' } },
  },
  test: { environment: 'jsdom', globals: true },
});
