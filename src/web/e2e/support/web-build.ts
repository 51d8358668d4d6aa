import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const WEB_SRC = path.join(REPO_ROOT, 'src/web');
export const WEB_DIST = path.join(REPO_ROOT, 'dist/web');
const LOCK = path.join(REPO_ROOT, 'dist/.web-build.lock');
const INPUTS = [path.join(REPO_ROOT, 'vite.config.ts'), path.join(REPO_ROOT, 'package-lock.json')];

/** Newest modification time of what the build reads; tests themselves are left out. */
function newestInput(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'e2e' && e.name !== 'node_modules') walk(p);
      } else if (!/\.test\.tsx?$/.test(e.name)) {
        newest = Math.max(newest, fs.statSync(p).mtimeMs);
      }
    }
  };
  walk(WEB_SRC);
  for (const f of INPUTS) if (fs.existsSync(f)) newest = Math.max(newest, fs.statSync(f).mtimeMs);
  return newest;
}

export function isWebBuildStale(): boolean {
  const index = path.join(WEB_DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  return fs.statSync(index).mtimeMs < newestInput();
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `vite build` when dist/web is missing or older than src/web. Test files run in parallel
 * workers, so a lock directory makes one of them build while the others wait.
 */
export function ensureWebBuilt(): void {
  if (!isWebBuildStale()) return;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock left by a killed run is removed after three minutes.
      if (Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 180_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another web build (${LOCK})`);
      sleep(500);
    }
  }
  try {
    if (!isWebBuildStale()) return;
    const vite = path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js');
    const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production', ZT_KEEP_OLD_ASSETS: '1' } });
    if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
