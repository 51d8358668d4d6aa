import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));
// The API server; `npm run dev` proxies to it so the browser sees one origin (cookies, CSRF).
const apiTarget = process.env.ZT_API_URL || 'http://127.0.0.1:8080';
const proxied = ['/api', '/open311', '/healthz', '/metrics'];

export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [react()],
  build: {
    outDir: `${repoRoot}dist/web`,
    // The browser tests rebuild while another test file may still have pages open: they keep the
    // old hashed chunks (ZT_KEEP_OLD_ASSETS=1) so those pages can still load their lazy chunks.
    emptyOutDir: process.env.ZT_KEEP_OLD_ASSETS !== '1',
    // scripts/measure-web.mjs reads the manifest to size the entry chunk and its static imports.
    manifest: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // Vendor code changes less often than ours: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 30 },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 20 },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: apiTarget, changeOrigin: false }])),
  },
  preview: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: apiTarget, changeOrigin: false }])),
  },
});
