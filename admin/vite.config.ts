// `pnpm dev` (Vite with hot reload, API proxied from :4000) and `pnpm build` (dist/, served by the API).
import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

const api = process.env.COURTYARD_API_URL ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    port: 5173,
    proxy: { '/graphql': { target: api, ws: true, changeOrigin: true } },
  },
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 1500,
  },
  test: {
    name: 'admin',
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    root: fileURLToPath(new URL('.', import.meta.url)),
  },
});
