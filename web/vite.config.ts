// Vite build for the InstaInstru single-page app.
// The output (web/dist) is committed and embedded by the Rust server, so the build must be
// byte-for-byte reproducible: content-hashed file names, no source maps, no timestamps.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Node's `process`, declared here so type-checking the config needs no @types/node.
declare const process: { env: Record<string, string | undefined> };

// Where `npm run dev` and `vite preview` forward server-side paths: the Rust backend's default
// bind address, or INSTAINSTRU_BACKEND=http://127.0.0.1:PORT.
const backend = process.env.INSTAINSTRU_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsDir: 'assets',
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend },
      '/readyz': { target: backend },
      // Referral links are answered by the server (cookie + redirect); only `/r/<code>`.
      '^/r/': { target: backend },
    },
  },
  preview: {
    port: 4173,
  },
});
