// Vite build for the WhatsFlow UI. The output in dist/ is served by whatsflow-server and embedded by Tauri.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// `npm run dev` can talk to a running whatsflow-server: WHATSFLOW_API=http://127.0.0.1:PORT npm run dev
const apiTarget = process.env.WHATSFLOW_API;

export default defineConfig({
  plugins: [react(), tailwindcss()],
  // Absolute asset URLs ('/assets/…'): both Tauri's custom protocol and whatsflow-server serve dist/ at the root,
  // and the server answers unknown paths with index.html, which must still find its assets.
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: apiTarget
    ? {
        proxy: {
          '/api': {
            target: apiTarget,
            changeOrigin: true,
            // The server refuses cross-origin API calls; through the proxy they are its own origin.
            configure: (proxy) => proxy.on('proxyReq', (request) => request.hasHeader('origin') && request.setHeader('origin', apiTarget)),
          },
        },
      }
    : undefined,
});
