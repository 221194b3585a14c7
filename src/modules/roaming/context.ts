// What the roaming services share: the database, our OCPI settings, the HTTP client and the partner-token cache.
import { hashToken, tokenCandidates } from '../../ocpi/core/auth.ts';
import { OcpiError, OcpiStatus } from '../../ocpi/core/envelope.ts';
import { applyEvseStatusChanges, type EvseStatusChange, type EvseStatusOutcome } from '../network/index.ts';
import { createPriceMemo, type PriceMemo } from '../tariffs/index.ts';
import { Batcher } from './batcher.ts';
import type { Cdr, Session } from './core/ocpi-objects.schema.ts';
import type { FetchLike } from './ocpi-client.ts';
import { findPartnerByTokenHash, type PartnerAuth } from './partners.repository.ts';
import type { Db } from './roaming.tables.ts';
import type { RoamingSettings } from './settings.ts';

/**
 * Token → partner lookups for every OCPI request, cached briefly (the hot path: EVSE status pushes). Changes made
 * by this process invalidate it at once; other processes see them within TTL_MS.
 */
export class PartnerAuthCache {
  static readonly TTL_MS = 2000;
  private readonly entries = new Map<string, { value: PartnerAuth | null; at: number }>();
  /** Lookups under way: requests arriving meanwhile wait for the same one (under load there are many). */
  private readonly pending = new Map<string, Promise<PartnerAuth | null>>();
  private generation = 0;
  constructor(private readonly db: Db) {}
  async get(hash: string): Promise<PartnerAuth | null> {
    const hit = this.entries.get(hash);
    if (hit && Date.now() - hit.at < PartnerAuthCache.TTL_MS) return hit.value;
    const running = this.pending.get(hash);
    if (running) return running;
    const generation = this.generation;
    const lookup = findPartnerByTokenHash(this.db, hash)
      .then((value) => {
        // Fresh from the time it was read; a lookup that started before an invalidate() is not kept.
        if (generation === this.generation) {
          if (this.entries.size > 10_000) this.entries.clear();
          this.entries.set(hash, { value, at: Date.now() });
        }
        return value;
      })
      .finally(() => {
        if (this.pending.get(hash) === lookup) this.pending.delete(hash);
      });
    this.pending.set(hash, lookup);
    return lookup;
  }
  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.pending.clear();
  }
}

/**
 * Listeners other modules (charging) set to react at once to what CPOs send; called after the change committed,
 * never awaited, and must not throw. They are a fast path only: listeners also sweep the stored rows.
 */
export interface RoamingHooks {
  sessionStored?: (session: Session) => void;
  cdrStored?: (cdr: Cdr) => void;
  commandResult?: (command: { id: string; type: string; state: string; message: string | null }) => void;
}

export interface RoamingContext {
  db: Db;
  settings: RoamingSettings;
  fetch: FetchLike;
  auth: PartnerAuthCache;
  /** EVSE status PATCHes (the hot path) written together: one transaction per batch of concurrent ones. */
  evseStatus: Batcher<EvseStatusChange, EvseStatusOutcome>;
  hooks?: RoamingHooks;
  /** CDR prices shared by the audit and the hooks' listeners (the same CDR priced once). */
  prices: PriceMemo;
}

export function createRoamingContext(db: Db, settings: RoamingSettings, fetchImpl: FetchLike = fetch): RoamingContext {
  return {
    db,
    settings,
    fetch: fetchImpl,
    auth: new PartnerAuthCache(db),
    evseStatus: new Batcher((changes) => applyEvseStatusChanges(db, changes)),
    hooks: {},
    prices: createPriceMemo(),
  };
}

export interface Authenticated extends PartnerAuth {
  /** The token as presented (decoded), e.g. to return in GET credentials. */
  token: string;
}

/**
 * Authenticates an OCPI request by its Authorization header (digest §2.5): unknown or missing → HTTP 401;
 * token A outside versions/credentials → HTTP 401; a suspended partner on a functional module → HTTP 403.
 */
export async function authenticate(
  ctx: RoamingContext,
  header: string | undefined,
  module: string,
): Promise<Authenticated> {
  const candidates = tokenCandidates(header);
  if (!candidates) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'Authorization header "Token <base64 token>" is required', 401);
  }
  for (const token of candidates) {
    const auth = await ctx.auth.get(hashToken(token));
    if (!auth) continue;
    const setup = module === 'versions' || module === 'credentials';
    if (auth.kind === 'A' && !setup) {
      throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'Token A may only be used for versions and credentials', 401);
    }
    if (auth.partner.status === 'SUSPENDED' && !setup) {
      throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'This connection is suspended by the eMSP', 403);
    }
    return { ...auth, token };
  }
  throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'Unknown credentials token', 401);
}
