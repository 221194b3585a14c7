// CLI entry: npm run sim:payone -- --help
import { parseSimulatorArgs, USAGE } from './core/config.ts';
import { startPayoneSimulator } from './server.ts';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseSimulatorArgs>;
  try {
    options = parseSimulatorArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`payone-sim: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const sim = await startPayoneSimulator(options);
  console.log(
    `payone-sim: listening on ${sim.url} (Server API ${sim.apiUrl}, hosted card page ${sim.url}/hosted/card, state ${sim.url}/__sim/state)`,
  );
  console.log(
    `payone-sim: portalid=${options.portalid} mid=${options.mid} aid=${options.aid} key-hash=${options.keyHash}; notifications ${options.notify ? `→ ${options.notifyUrl}` : 'off'}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`payone-sim: ${signal}, stopping`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
