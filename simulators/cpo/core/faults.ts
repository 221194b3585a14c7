// Fault injection helpers: a seeded random source and the malformed objects the eMSP must reject with 2001. Pure.

/** mulberry32: small deterministic PRNG, floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MALFORMED_KINDS = [
  'location',
  'evse_status',
  'patch_without_last_updated',
  'tariff',
  'session',
  'cdr',
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

type Json = Record<string, unknown>;

/** A copy of a valid object with one defect: a required field missing or an enum value that does not exist. */
export function malform(kind: MalformedKind, valid: Json, variant: 'missing' | 'enum' = 'missing'): Json {
  const copy = structuredClone(valid);
  switch (kind) {
    case 'location':
      if (variant === 'enum') copy.parking_type = 'ON_THE_MOON';
      else delete copy.address;
      return copy;
    case 'evse_status':
      copy.status = 'BROKEN';
      return copy;
    case 'patch_without_last_updated':
      delete copy.last_updated;
      return copy;
    case 'tariff':
      if (variant === 'enum') copy.elements = [{ price_components: [{ type: 'PER_SMILE', price: 1, step_size: 1 }] }];
      else delete copy.currency;
      return copy;
    case 'session':
      if (variant === 'enum') copy.status = 'RUNNING';
      else delete copy.kwh;
      return copy;
    case 'cdr':
      if (variant === 'enum') copy.auth_method = 'MAGIC';
      else delete copy.total_cost;
      return copy;
  }
}

/** What a defect is, for the push log. */
export function describeMalformed(kind: MalformedKind, variant: 'missing' | 'enum'): string {
  const what: Record<MalformedKind, [string, string]> = {
    location: ['missing address', 'parking_type "ON_THE_MOON"'],
    evse_status: ['status "BROKEN"', 'status "BROKEN"'],
    patch_without_last_updated: ['PATCH without last_updated', 'PATCH without last_updated'],
    tariff: ['missing currency', 'price component type "PER_SMILE"'],
    session: ['missing kwh', 'status "RUNNING"'],
    cdr: ['missing total_cost', 'auth_method "MAGIC"'],
  };
  return what[kind][variant === 'missing' ? 0 : 1];
}
