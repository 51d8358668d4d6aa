import { startZhengtong } from '../../../server/server';
import { ensureWebBuilt } from './web-build';

export const ADMIN = { username: 'admin', password: 'Zhengtong@2026' };
export const DEMO_PASSWORD = ADMIN.password;

/** A clock the test can move forward (session expiry) without waiting. */
export class TestClock {
  offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestServer {
  url: string;
  clock: TestClock;
  close(): Promise<void>;
}

/** The whole platform on a random port with a fresh database and the demo city; the web app built first. */
export async function startTestServer(): Promise<TestServer> {
  ensureWebBuilt();
  const clock = new TestClock();
  const server = await startZhengtong({ port: 0, host: '127.0.0.1', demo: true, clock, env: { ZT_JOBS: 'false', LOG_LEVEL: 'silent' } });
  return { url: server.url, clock, close: () => server.close() };
}
