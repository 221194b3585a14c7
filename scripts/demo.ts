// One command for a newcomer: Lataus on :3000 (PGlite in ./data), the PAYONE simulator on :4100 notifying Lataus,
// and the CPO simulator on :4200 registered with Lataus over OCPI. Prints where to click; Ctrl-C stops all three.
//
//   npm run demo
//
// Environment: PORT (3000), PAYONE_SIM_PORT (4100), CPO_SIM_PORT (4200), CPO_SIM_SPEED (30 simulated seconds per
// second, so a charge shows kWh quickly), ADMIN_TOKEN (development token), any other Lataus variable.
import { type ChildProcess, spawn } from 'node:child_process';
import { startCpoSimulator } from '../simulators/cpo/server.ts';
import { startPayoneSimulator } from '../simulators/payone/server.ts';

const PORT = Number(process.env.PORT ?? 3000);
const PAYONE_PORT = Number(process.env.PAYONE_SIM_PORT ?? 4100);
const CPO_PORT = Number(process.env.CPO_SIM_PORT ?? 4200);
const SPEED = Number(process.env.CPO_SIM_SPEED ?? 30);
const ADMIN = process.env.ADMIN_TOKEN ?? 'lataus-dev-admin';
const lataus = `http://localhost:${PORT}`;
const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const DEMO_PARTNER = 'CPO simulator (demo)';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];
const closers: Array<() => Promise<void>> = [];

async function waitReady(url: string, ms = 300_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`${url} did not become ready`);
}

async function main(): Promise<void> {
  const payone = await startPayoneSimulator({
    port: PAYONE_PORT,
    notifyUrl: `http://127.0.0.1:${PORT}/payone/transaction-status`,
    quiet: true,
  });
  closers.push(() => payone.close());

  const server = spawn(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', 'src/main.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      PORT: String(PORT),
      PUBLIC_URL: process.env.PUBLIC_URL ?? lataus,
      PAYONE_API_URL: payone.apiUrl,
      ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
  });
  children.push(server);
  server.on('exit', (code) => {
    if (!stopping) {
      console.error(`Lataus exited (${code}); stopping the demo`);
      void stop(1);
    }
  });
  console.log('Starting Lataus (the first start builds the web app and seeds the demo network)…');
  await waitReady(`${lataus}/ready`);

  // A demo partner from an earlier run points at a simulator that no longer exists: suspend it.
  const partners = (await (await fetch(`${lataus}/api/v1/admin/partners`, { headers: admin })).json()) as {
    partners: { id: string; name: string; status: string }[];
  };
  for (const p of partners.partners.filter((x) => x.name === DEMO_PARTNER && x.status === 'REGISTERED'))
    await fetch(`${lataus}/api/v1/admin/partners/${p.id}/suspend`, { method: 'POST', headers: admin, body: '{}' });

  const cpo = await startCpoSimulator({ port: CPO_PORT, locations: 20, speed: SPEED, sessionUpdateSeconds: 120 });
  closers.unshift(() => cpo.close());
  const invite = (await (
    await fetch(`${lataus}/api/v1/admin/partners`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ action: 'invite', name: DEMO_PARTNER }),
    })
  ).json()) as { token_a: string; versions_url: string };
  const reg = await cpo.registerWith(invite.versions_url, invite.token_a);
  if (!reg.ok) throw new Error(`the CPO simulator could not register: ${reg.message}`);
  await cpo.idle();

  const evse = [...cpo.sim.locations.values()].flatMap((l) => l.evses ?? []).find((e) => e.status === 'AVAILABLE');
  const evseId = evse?.evse_id ?? 'DE*SIM*E000001*1';
  console.log(`
Lataus demo is running.

  Lataus (map, driver pages)  ${lataus}
  Charge ad hoc at a station  ${lataus}/c/${encodeURIComponent(evseId)}
  API docs                    ${lataus}/api/docs
  Back office token           ${ADMIN}   (Authorization: Bearer …)
  PAYONE simulator            ${payone.url}   (test card 4111 1111 1111 1111, any future expiry, CVC 123;
                                               3-D Secure: 4000 0000 0000 3220; declined: 4000 0000 0000 0002)
  CPO simulator (DE/SIM)      ${cpo.url}/__sim/state   (${SPEED} simulated seconds per second)
  Mails (no SMTP)             ${lataus}/api/v1/admin/mails   (receipts land in the local outbox)

Ctrl-C stops all three.`);
}

let stopping = false;
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const close of closers) await close().catch(() => {});
  for (const c of children) if (c.exitCode === null) c.kill('SIGINT');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())),
  );
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

main().catch((e) => {
  console.error(e);
  void stop(1);
});
