// CLI entry: npm run sim:cpo -- --help
import { parseSimulatorArgs, USAGE } from './core/config.ts';
import { startCpoSimulator } from './server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  let options: ReturnType<typeof parseSimulatorArgs>;
  try {
    options = parseSimulatorArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`cpo-sim: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  // Registration is retried below (the eMSP may start after us), so the server starts without it.
  const { emspVersionsUrl, emspTokenA } = options;
  const sim = await startCpoSimulator({ ...options, emspVersionsUrl: null, emspTokenA: null });
  const s = sim.sim;
  console.log(
    `cpo-sim: ${options.countryCode}/${options.partyId} listening on ${sim.url} (state ${sim.url}/__sim/state)`,
  );
  console.log(
    `cpo-sim: ${s.locations.size} locations, ${s.tariffs.size} tariffs; speed ×${options.speed}; status changes ${options.statusRate}/s; push ${options.push ? 'on' : 'off'}`,
  );
  console.log(`cpo-sim: versions URL ${sim.versionsUrl}`);
  console.log(`cpo-sim: token A      ${sim.tokenA}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`cpo-sim: ${signal}, stopping`);
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

  let versionsUrl = emspVersionsUrl;
  let tokenA = emspTokenA;
  if (!versionsUrl && !tokenA && options.autoRegister) {
    // Development convenience: `npm start` + `npm run sim:cpo` just work. Ask the local Lataus for an invitation
    // through its admin API (the development admin token unless LATAUS_ADMIN_TOKEN is set), then register with it.
    const invite = await inviteSelf(
      process.env.LATAUS_URL ?? 'http://127.0.0.1:3000',
      process.env.LATAUS_ADMIN_TOKEN ?? 'lataus-dev-admin',
      `CPO simulator ${options.countryCode}*${options.partyId}`,
      () => stopping,
    );
    if (invite) {
      versionsUrl = invite.versions_url;
      tokenA = invite.token_a;
    }
  }
  if (versionsUrl && tokenA) {
    const emspVersionsUrl = versionsUrl;
    const emspTokenA = tokenA;
    for (let attempt = 1; attempt <= 20 && !stopping; attempt++) {
      const r = await sim.registerWith(emspVersionsUrl, emspTokenA);
      if (r.ok) {
        console.log(`cpo-sim: registered with ${emspVersionsUrl}; pushing locations and tariffs`);
        break;
      }
      console.log(`cpo-sim: registration attempt ${attempt} failed: ${r.message}`);
      if (r.message.startsWith('already registered')) break;
      await sleep(3000);
    }
  }
}

/** Invites this simulator at a Lataus admin API; retried while Lataus starts. Null when it cannot. */
async function inviteSelf(
  latausUrl: string,
  adminToken: string,
  name: string,
  stopped: () => boolean,
): Promise<{ versions_url: string; token_a: string } | null> {
  for (let attempt = 1; attempt <= 20 && !stopped(); attempt++) {
    try {
      const res = await fetch(`${latausUrl}/api/v1/admin/partners`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'invite', name }),
      });
      if (res.status === 201) {
        const body = (await res.json()) as { versions_url: string; token_a: string };
        console.log(`cpo-sim: invited by Lataus at ${latausUrl}`);
        return body;
      }
      console.log(`cpo-sim: Lataus at ${latausUrl} refused the invitation (HTTP ${res.status}); register by hand`);
      return null;
    } catch {
      console.log(`cpo-sim: waiting for Lataus at ${latausUrl} (attempt ${attempt}; --no-auto-register to skip)`);
      await sleep(3000);
    }
  }
  return null;
}

await main();
