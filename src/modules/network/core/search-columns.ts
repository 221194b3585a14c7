// The search columns stored beside a Location's OCPI object (migrations/0002): derived here, in one place,
// from the object, whenever the repository writes a location or an EVSE status.
import type { EvseStatus, Location } from './location.schema.ts';
import { isAlwaysOpen } from './opening-hours.ts';
import { connectorPowerW } from './power.ts';

/** How an EVSE status counts in availability figures. REMOVED EVSEs do not count at all. */
export type AvailabilityBucket = 'available' | 'charging' | 'blocked' | 'out_of_order' | 'unknown';

export function availabilityBucket(status: EvseStatus | string): AvailabilityBucket | null {
  switch (status) {
    case 'AVAILABLE':
      return 'available';
    case 'CHARGING':
      return 'charging';
    case 'BLOCKED':
    case 'RESERVED':
      return 'blocked';
    case 'OUTOFORDER':
    case 'INOPERATIVE':
      return 'out_of_order';
    case 'REMOVED':
      return null;
    default: // UNKNOWN, PLANNED, anything newer
      return 'unknown';
  }
}

export interface LocationSearchColumns {
  /** EVSEs that are not REMOVED; a location with none is "expired" and is not shown. */
  evse_total: number;
  evse_available: number;
  /** CHARGING, BLOCKED or RESERVED: in use by someone. */
  evse_occupied: number;
  max_power_w: number;
  /**
   * The distinct standards of the connectors of counted EVSEs, in byte order (migrations/0015), and per standard
   * (parallel arrays) the highest power of its connectors, and of its connectors on AVAILABLE EVSEs (-1: none).
   */
  std_names: string[];
  std_max_w: number[];
  std_available_w: number[];
  /** The highest power of any connector on an AVAILABLE EVSE; -1 when none. */
  available_max_w: number;
  /** No opening-hours restriction at all (24/7 or none given, and no exceptional closings). */
  always_open: boolean;
  /** The status of every EVSE that has connectors, REMOVED ones too, in order (pairs with listEvses). */
  evse_statuses: string[];
}

/** The distinct tariff ids the location's connectors name (migrations/0013: `location_objects.list_tariff_ids`). */
export function listTariffIds(location: Location): string[] {
  return [...new Set((location.evses ?? []).flatMap((e) => e.connectors.flatMap((c) => c.tariff_ids ?? [])))];
}

/** A connector as a list page needs it: [standard, power type, power in W, tariff ids]. */
export type ListConnector = [string, string, number, string[]];

/**
 * Per EVSE that has connectors, in order, its connectors in order (migrations/0013: `location_objects.list_evses`).
 * Does not depend on EVSE statuses (those are `evse_statuses`), so a status change leaves it as it is.
 */
export function listEvses(location: Location): ListConnector[][] {
  return (location.evses ?? [])
    .filter((e) => e.connectors.length > 0)
    .map((e) =>
      e.connectors.map((c): ListConnector => [c.standard, c.power_type, connectorPowerW(c), c.tariff_ids ?? []]),
    );
}

export function deriveSearchColumns(location: Location): LocationSearchColumns {
  const out: LocationSearchColumns = {
    evse_total: 0,
    evse_available: 0,
    evse_occupied: 0,
    max_power_w: 0,
    std_names: [],
    std_max_w: [],
    std_available_w: [],
    available_max_w: -1,
    always_open: isAlwaysOpen(location.opening_times),
    evse_statuses: [],
  };
  const standards = new Map<string, { max: number; available: number }>();
  for (const evse of location.evses ?? []) {
    if (evse.connectors.length > 0) out.evse_statuses.push(evse.status);
    const bucket = availabilityBucket(evse.status);
    if (bucket === null) continue;
    out.evse_total++;
    if (bucket === 'available') out.evse_available++;
    if (bucket === 'charging' || bucket === 'blocked') out.evse_occupied++;
    for (const c of evse.connectors) {
      const w = connectorPowerW(c);
      out.max_power_w = Math.max(out.max_power_w, w);
      const s = standards.get(c.standard) ?? { max: 0, available: -1 };
      s.max = Math.max(s.max, w);
      if (bucket === 'available') {
        s.available = Math.max(s.available, w);
        out.available_max_w = Math.max(out.available_max_w, w);
      }
      standards.set(c.standard, s);
    }
  }
  // Byte order, as PostgreSQL's `collate "C"` (standards are ASCII).
  for (const name of [...standards.keys()].sort()) {
    const s = standards.get(name)!;
    out.std_names.push(name);
    out.std_max_w.push(s.max);
    out.std_available_w.push(s.available);
  }
  return out;
}

/** Marker colour: some EVSE free → A (available); none free but some in use → O (occupied); else U (unavailable). */
export function markerStatus(available: number, occupied: number): 'A' | 'O' | 'U' {
  if (available > 0) return 'A';
  if (occupied > 0) return 'O';
  return 'U';
}
