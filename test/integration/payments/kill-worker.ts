// A payments worker as its own process, for the crash test. With KILL_WINDOW_AFTER=n, the first n PSP calls are
// recorded normally; from then on the worker announces "WINDOW <job>" after PAYONE answered and before our write,
// and waits there — the parent SIGKILLs it in exactly that window.
import { createPaymentsService } from '../../../src/modules/payments/payments.service.ts';
import { PaymentsWorker } from '../../../src/modules/payments/payments.worker.ts';
import { PayoneProvider } from '../../../src/payone/provider.ts';
import { Secret } from '../../../src/payone/secret.ts';
import { openDatabase } from '../../../src/platform/db/database.ts';

const env = process.env;
const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: 'unused', poolSize: 20 });
const provider = new PayoneProvider(
  {
    mid: '10000',
    aid: '10001',
    portalId: '2000000',
    portalKey: new Secret(env.PAYONE_KEY ?? 'lataus-sim-portal-key'),
    mode: 'test',
    hash: 'md5',
    encoding: 'UTF-8',
    refundRequest: 'debit',
  },
  { url: env.PAYONE_API_URL!, timeoutMs: 5000 },
);
const windowAfter = env.KILL_WINDOW_AFTER ? Number(env.KILL_WINDOW_AFTER) : Number.POSITIVE_INFINITY;
let calls = 0;
const service = createPaymentsService({
  db: database.db,
  provider,
  leaseMs: Number(env.LEASE_MS ?? 2000),
  afterProviderCall: async (job) => {
    calls++;
    if (calls > windowAfter) {
      process.stdout.write(`WINDOW ${job.id}\n`);
      await new Promise(() => {}); // hold the answer unwritten until SIGKILL
    }
  },
});
const worker = new PaymentsWorker({ service, pollMs: 20, concurrency: 8, onError: (e) => console.error(e) });
worker.start();
process.stdout.write('READY\n');
process.on('SIGTERM', async () => {
  await worker.stop();
  await database.close();
  process.exit(0);
});
