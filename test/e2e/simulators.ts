// The peers the browser tests need besides Lataus: the PAYONE simulator (gateway, hosted card page, 3-D Secure,
// notifications) and the CPO simulator (an OCPI 2.2.1 operator that owns a few stations and simulates charging),
// both in this process. The CPO simulator registers with Lataus through the partner admin API (invite → token A).
import { type RunningCpoSimulator, startCpoSimulator } from '../../simulators/cpo/server.ts';
import { type RunningPayoneSimulator, startPayoneSimulator } from '../../simulators/payone/server.ts';

export interface SimStation {
  /** OCPI location id at the CPO (Lataus keys it by party as well). */
  ocpiId: string;
  name: string | null;
  latitude: number;
  longitude: number;
  evseIds: string[];
}

export interface Simulators {
  payone: RunningPayoneSimulator;
  cpo: RunningCpoSimulator | null;
  /** Stations of the CPO simulator with an available AC EVSE first. */
  stations(): SimStation[];
  close(): Promise<void>;
}

export async function startPayone(lataus: string): Promise<RunningPayoneSimulator> {
  return startPayoneSimulator({
    port: 0,
    notifyUrl: `${lataus}/payone/transaction-status`,
    paidDelayMs: 300,
    quiet: true,
  });
}

/** Starts the CPO simulator and registers it with Lataus (which must be up). */
export async function startCpo(lataus: string, adminToken: string): Promise<RunningCpoSimulator> {
  const cpo = await startCpoSimulator({
    port: 0,
    locations: 6,
    seed: 7,
    // A simulated minute per real second: a charge gathers energy within seconds. The simulated clock starts
    // an hour back so session and CDR times stay in the past while it runs ahead.
    speed: 60,
    simStart: new Date(Date.now() - 3_600_000).toISOString(),
    sessionUpdateSeconds: 60,
    autoStopParkMinutes: 0,
  });
  try {
    const res = await fetch(`${lataus}/api/v1/admin/partners`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'invite', name: 'CPO simulator (e2e)' }),
    });
    if (res.status !== 201) throw new Error(`invite: HTTP ${res.status} ${await res.text()}`);
    const invite = (await res.json()) as { token_a: string; versions_url: string };
    const r = await cpo.registerWith(invite.versions_url, invite.token_a);
    if (!r.ok) throw new Error(`CPO simulator registration: ${r.message}`);
    await cpo.idle();
    return cpo;
  } catch (e) {
    await cpo.close();
    throw e;
  }
}

export function simStations(cpo: RunningCpoSimulator | null): SimStation[] {
  if (!cpo) return [];
  const out: SimStation[] = [];
  for (const loc of cpo.sim.locations.values()) {
    const l = loc as unknown as {
      id: string;
      name?: string | null;
      coordinates: { latitude: string; longitude: string };
      evses?: Array<{ evse_id?: string | null; status: string; connectors: Array<{ power_type: string }> }>;
    };
    const evses = (l.evses ?? []).filter((e) => e.evse_id && e.status === 'AVAILABLE');
    out.push({
      ocpiId: l.id,
      name: l.name ?? null,
      latitude: Number(l.coordinates.latitude),
      longitude: Number(l.coordinates.longitude),
      evseIds: evses.map((e) => e.evse_id!),
    });
  }
  return out.filter((s) => s.evseIds.length > 0);
}
