import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig(({ mode }) => ({
  plugins: [react()],
  // Apollo Client's development checks and messages stay out of the production bundle.
  define: { 'globalThis.__DEV__': JSON.stringify(mode !== 'production') },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { port: 5173 },
}));
