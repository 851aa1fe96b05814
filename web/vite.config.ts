// The dashboard's build: `vite build` writes web/dist, which `herald serve` serves at `/`.
// `npm run dev` runs Vite's dev server with /api (and the docs and health routes) proxied to a
// Herald running on HERALD_API_URL (default http://localhost:8080, what `npm start` listens on).
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.HERALD_API_URL ?? 'http://localhost:8080';

/** Code the dashboard shares with the server (src/shared), imported as `@shared/…`. */
export const sharedAlias = { '@shared': fileURLToPath(new URL('../src/shared', import.meta.url)) };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: { alias: sharedAlias },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The chart library is only needed on the usage page: keep it out of the first load.
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/docs': { target: api },
      '/health': { target: api },
    },
  },
});
