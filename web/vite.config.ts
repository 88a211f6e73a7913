import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The build lands in ../internal/web/dist, which the vigil binary embeds (internal/web).
// public/.keep is copied there so the tracked placeholder survives each build.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../internal/web/dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
  },
  worker: { format: 'es' },
  // npm run dev proxies the API to a local `vigil server` (make run).
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
