// `npm run bench`: runs every benchmark and prints its results as JSON. Results with the machine they ran on
// are recorded by hand in docs/PERFORMANCE.md. Pass names to run a subset: `npm run bench -- tariffs`.
import os from 'node:os';

const benches: Record<string, string> = {
  tariffs: './tariffs.bench.ts',
  receipts: './receipts.bench.ts',
  search: './search.bench.ts',
  ocpi: './ocpi.bench.ts',
  payments: './payments.bench.ts',
  charging: './charging.bench.ts',
  'payone-sim': './payone-sim.bench.ts',
};

const only = process.argv.slice(2);
const machine = {
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  memory_gib: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.type()} ${os.release()}`,
};
console.log(JSON.stringify({ machine }, null, 2));
for (const [name, file] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  const mod = (await import(file)) as { run: (opts?: Record<string, unknown>) => Promise<unknown> };
  console.log(`\n# ${name}`);
  const result = await mod.run();
  console.log(JSON.stringify({ [name]: result }, null, 2));
}
