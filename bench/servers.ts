import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer, SERVER_ENTRY } from '../scripts/start.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ChildServer {
  url: string;
  pid: number;
  /** Peak resident memory of the server process so far (Linux VmHWM), in MB; null where /proc is missing. */
  peakRssMb(): number | null;
  stop(): Promise<void>;
}

function readStatusKb(pid: number, field: string): number | null {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Starts a server in a child process (node with `args`, one process: its pid is the server's) and resolves
 * once `ready` finds its URL in a line of its output.
 */
export function startChild(args: string[], env: Record<string, string>, ready: (line: string) => string | null, timeoutMs = 120_000): Promise<ChildServer> {
  const entry = args[args.length - 1];
  // BENCH_CPU_PROF=DIR: each server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    let started = false;
    const onLine = (chunk: Buffer) => {
      output += chunk.toString();
      if (started) return;
      for (const line of output.split('\n')) {
        const url = ready(line);
        if (!url) continue;
        started = true;
        clearTimeout(timer);
        resolve({
          url, pid: child.pid!,
          peakRssMb: () => {
            const kb = readStatusKb(child.pid!, 'VmHWM');
            return kb === null ? null : Math.round(kb / 1024);
          },
          stop: () => new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(force);
              done();
            });
            child.kill('SIGTERM');
          }),
        });
        return;
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.once('exit', (code) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready:\n${output.slice(-2000)}`));
    });
  });
}

/** The bare limit server (bench/bare-server.ts). */
export function startBareServer(databaseUrl: string): Promise<ChildServer> {
  return startChild(['--import', 'tsx', 'bench/bare-server.ts'], { DATABASE_URL: databaseUrl }, (line) => {
    const m = line.match(/^\{"port":(\d+)\}/);
    return m ? `http://127.0.0.1:${m[1]}` : null;
  });
}

/**
 * Zhengtong itself, as `npm start` runs it (the server's bundle, scripts/start.mjs, built here first), in
 * production mode, logging warnings only.
 */
export async function startZhengtong(databaseUrl: string): Promise<ChildServer> {
  await buildServer();
  return startChild(['--enable-source-maps', path.relative(ROOT, SERVER_ENTRY)], {
    DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
    ZT_DEMO: 'false', LOG_LEVEL: 'warn', DATA_DIR: path.join(ROOT, 'data', 'bench'), ZT_CLOCK_START: new Date('2024-07-01T00:00:00+08:00').toISOString(),
  }, (line) => line.match(/running at (http:\/\/[^\s]+)/)?.[1] ?? null);
}
