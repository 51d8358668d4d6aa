#!/usr/bin/env node
// `npm start`: builds the web app when its build is missing or older than its sources, then starts the
// platform (API + web app on one port) from the TypeScript sources through tsx.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'e2e') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function isWebBuildStale() {
  const index = path.join(root, 'dist/web/index.html');
  if (!fs.existsSync(index)) return true;
  const sources = Math.max(newestMtime(path.join(root, 'src/web')), fs.statSync(path.join(root, 'vite.config.ts')).mtimeMs);
  return sources > fs.statSync(index).mtimeMs;
}

export function buildWebIfStale() {
  if (!isWebBuildStale()) return;
  console.log('Building the web app (vite build)…');
  const vite = path.join(root, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the web app build failed');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWebIfStale();
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/server/main.ts');
}
