// The simulator's charging network: the project's deterministic demo network generator, re-owned by the simulated
// CPO party (its country_code/party_id, ids and EVSE ids), with the demo operators' tariffs it references.

import { generateDemoNetwork } from '../../../src/modules/network/core/demo-network.ts';
import type { Location } from '../../../src/modules/network/index.ts';
import { parseTariff, type Tariff } from '../../../src/modules/tariffs/index.ts';
import { ocpiDateTime, parseOcpiDateTime } from './ocpi.ts';

export interface SimNetwork {
  locations: Location[];
  tariffs: Tariff[];
}

export interface SimNetworkOptions {
  countryCode: string;
  partyId: string;
  locations: number;
  seed: number;
  /** No object's last_updated is later than this (the simulated clock at start). */
  notAfterMs: number;
}

function clamp(lastUpdated: string, notAfterMs: number): string {
  const ms = parseOcpiDateTime(lastUpdated);
  return Number.isNaN(ms) || ms > notAfterMs ? ocpiDateTime(notAfterMs) : lastUpdated;
}

/** Generates `locations` locations (deterministic for a seed) owned by (countryCode, partyId). */
export function buildSimNetwork(opts: SimNetworkOptions): SimNetwork {
  const demo = generateDemoNetwork({ locations: opts.locations, seed: opts.seed });
  const demoTariffs = new Map(demo.tariffs.map((t) => [`${t.party_id}|${t.id}`, t]));
  const tariffs = new Map<string, Tariff>();
  const locations: Location[] = [];
  for (let i = 0; i < opts.locations; i++) {
    const source = demo.location(i);
    const seq = String(i + 1).padStart(6, '0');
    const id = `LOC${seq}`;
    const location: Location = {
      ...source,
      country_code: opts.countryCode,
      party_id: opts.partyId,
      id,
      last_updated: clamp(source.last_updated, opts.notAfterMs),
      evses: (source.evses ?? []).map((evse, k) => ({
        ...evse,
        uid: `${id}-${k + 1}`,
        evse_id: `${opts.countryCode}*${opts.partyId}*E${seq}*${k + 1}`,
        last_updated: clamp(evse.last_updated, opts.notAfterMs),
        connectors: evse.connectors.map((c) => ({
          ...c,
          last_updated: clamp(c.last_updated, opts.notAfterMs),
          tariff_ids: (c.tariff_ids ?? []).flatMap((tid) => {
            const demoTariff = demoTariffs.get(`${source.party_id}|${tid}`);
            if (!demoTariff) return [];
            // Demo operators share tariff ids per region; prefix the operator to keep them apart.
            const newId = `${source.party_id}-${tid}`;
            if (!tariffs.has(newId)) {
              const parsed = parseTariff({
                ...demoTariff,
                country_code: opts.countryCode,
                party_id: opts.partyId,
                id: newId,
                last_updated: clamp(demoTariff.last_updated, opts.notAfterMs),
              });
              if (!parsed.ok) throw new Error(`demo tariff ${newId} is invalid: ${JSON.stringify(parsed.errors)}`);
              tariffs.set(newId, parsed.tariff);
            }
            return [newId];
          }),
        })),
      })),
    };
    locations.push(location);
  }
  return { locations, tariffs: [...tariffs.values()] };
}
