import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

// The console is served by the Lectern server from web/dist; in `npm run dev:web` Vite proxies the
// API to a server started separately with `npm start` (port 3000).
export default defineConfig({
  root,
  plugins: [
    react(),
    // In `npm run dev:web`, /reader/* is the reader page, as the Lectern server serves it in production.
    {
      name: 'lectern-reader-page',
      configureServer(server) {
        server.middlewares.use((req, _res, next) => {
          if (req.url && /^\/reader(\/[^.]*)?(\?.*)?$/.test(req.url)) req.url = '/reader.html';
          next();
        });
      },
    },
  ],
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    // Two pages: the console, and the reader (served for /reader/*) with pdf.js and epub.js in its own bundle.
    rolldownOptions: { input: { console: path.join(root, 'index.html'), reader: path.join(root, 'reader.html') } },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/lti': 'http://localhost:3000' } },
});
