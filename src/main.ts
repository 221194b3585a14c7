// Starts Lataus: validates configuration, builds the web app if it is missing, opens the database,
// migrates, seeds the demo network on first run, and serves HTTP until SIGINT/SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { createLataus } from './composition.ts';
import { type Config, ConfigError, loadConfig } from './platform/config.ts';
import { DataDirInUseError } from './platform/db/lockfile.ts';

async function buildWebIfMissing(config: Config): Promise<void> {
  if (!config.BUILD_WEB || fs.existsSync(path.join(config.STATIC_ROOT, 'index.html'))) return;
  console.log(`Building the web app into ${config.STATIC_ROOT} (first start only)…`);
  const { build } = await import('vite');
  await build({ configFile: path.resolve('vite.config.ts'), logLevel: 'warn', build: { outDir: config.STATIC_ROOT } });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  await buildWebIfMissing(config);
  const lataus = await createLataus(config).catch((e: unknown) => {
    if (e instanceof DataDirInUseError) {
      console.error(e.message);
      process.exit(3);
    }
    throw e;
  });
  const { app } = lataus;
  if (config.adminTokenIsDefault) app.log.warn('ADMIN_TOKEN is not set: the development token is in use');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await lataus.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.PORT, host: config.HOST });
  const shown = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  app.log.info(`Lataus is running on http://${shown}:${config.PORT} (${lataus.database.kind})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
