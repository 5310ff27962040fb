/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The web UI lives in ui/ and builds to ui/dist, which tauri.conf.json embeds.
export default defineConfig({
  root: "ui",
  base: "./",
  publicDir: false,
  // Keep Vite's and Vitest's caches in the top-level node_modules (git-ignored), not ui/.
  cacheDir: "../node_modules/.vite",
  // svelte.config.js sits at the top, beside this file; paths resolve from `root`.
  plugins: [svelte({ configFile: "../svelte.config.js" })],
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The webview must not need inline scripts (CSP script-src 'self').
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
  server: { port: 1420, strictPort: true },
  preview: { port: 4173, strictPort: true },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
