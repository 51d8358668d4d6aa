import { ConfigError, DEFAULT_DEMO_PASSWORD, loadConfig } from './config';
import { bootstrap, startServer } from './server';
import { demoUsers } from './demo/demo-city';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const ctx = await bootstrap(config);
  const server = await startServer(ctx);
  console.log(`\n政通 Zhengtong is running at ${server.url}  (database: ${ctx.dialect}${ctx.dialect === 'sqlite' ? ` ${config.databaseUrl}` : ''})`);
  console.log(`API docs: ${server.url}/api/docs`);
  if (config.demo) {
    const names = demoUsers().map((u) => u.username);
    console.log(`Demo accounts: ${names.slice(0, 12).join(', ')}, … (${names.length} in all)`);
    console.log(`Demo password: ${config.demoPassword}${config.demoPassword === DEFAULT_DEMO_PASSWORD ? ' (set ZT_DEMO_PASSWORD to change it)' : ''}\n`);
  }
  const shutdown = async (signal: string) => {
    ctx.log.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
