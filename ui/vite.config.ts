// Vite build for the WhatsFlow UI. The output in dist/ is served by whatsflow-server and embedded by Tauri.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// `npm run dev` can talk to a running whatsflow-server: WHATSFLOW_API=http://127.0.0.1:PORT npm run dev
const apiTarget = process.env.WHATSFLOW_API;

export default defineConfig({
  plugins: [react(), tailwindcss()],
  // Relative asset URLs so the same build works under Tauri's custom protocol and the HTTP server.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: apiTarget ? { proxy: { '/api': { target: apiTarget, changeOrigin: false } } } : undefined,
});
