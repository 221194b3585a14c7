// CDR audit: recompute a CPO's CDR from its own tariffs (embedded `tariffs` or given ones) and report every
// total that differs from ours by more than a tolerance (default 0.01 per field), with our price proof.
import type { Decimal } from 'decimal.js';
import { Dec, str } from './decimal.ts';
import type { PricingPolicy } from './policy.ts';
import { type CostTotalField, computePrice, type PriceResult, type PricingError, PricingFailure } from './price.ts';
import type { CdrInput, Tariff } from './tariff.schema.ts';

export interface AuditRequest {
  cdr: CdrInput;
  /** Defaults to the CDR's embedded tariffs. */
  tariffs?: readonly Tariff[];
  timeZone: string;
  /** Allowed absolute difference per field (money and quantities), default "0.01". */
  tolerance?: string | number;
  policy?: Partial<PricingPolicy>;
}

export interface AuditDifference {
  /** e.g. "total_cost.incl_vat", "total_energy". */
  field: string;
  /** The CPO's value (absent optional field = "0"). */
  cdr: string;
  /** Our exact value. */
  computed: string;
  /** computed − cdr. */
  difference: string;
}

export interface AuditReport {
  agrees: boolean;
  tolerance: string;
  differences: AuditDifference[];
  /** Every field compared, including the agreeing ones. */
  compared: AuditDifference[];
  /** Optional OCPI fields the CDR left out although we computed a value (not compared: no claim made). */
  not_reported: string[];
  /** Our result with the price proof. */
  computed: PriceResult;
}

export type AuditOutcome = { ok: true; report: AuditReport } | { ok: false; error: PricingError };

const MONEY_FIELDS: CostTotalField[] = [
  'total_cost',
  'total_fixed_cost',
  'total_energy_cost',
  'total_time_cost',
  'total_parking_cost',
  'total_reservation_cost',
];
const QTY_FIELDS = ['total_energy', 'total_time', 'total_parking_time'] as const;

export function auditCdr(req: AuditRequest): AuditOutcome {
  try {
    return { ok: true, report: audit(req) };
  } catch (e) {
    if (e instanceof PricingFailure) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}

function audit(req: AuditRequest): AuditReport {
  const tariffs = req.tariffs ?? [];
  const { result, exact } = computePrice({
    cdr: req.cdr,
    tariffs,
    timeZone: req.timeZone,
    policy: req.policy,
    breakdown: true,
  });
  const tolerance = new Dec(req.tolerance ?? '0.01');
  const compared: AuditDifference[] = [];
  const differences: AuditDifference[] = [];
  const check = (field: string, cdrValue: number | undefined | null, ours: Decimal | null) => {
    const theirs = new Dec(cdrValue ?? 0);
    const computed = ours ?? new Dec(0);
    const d: AuditDifference = {
      field,
      cdr: str(theirs),
      computed: str(computed),
      difference: str(computed.minus(theirs)),
    };
    compared.push(d);
    if (computed.minus(theirs).abs().gt(tolerance)) differences.push(d);
  };
  const cdr = req.cdr as Record<string, unknown>;
  const notReported: string[] = [];
  for (const f of MONEY_FIELDS) {
    const theirs = cdr[f] as { excl_vat: number; incl_vat?: number } | null | undefined;
    const ours = exact[f];
    // Only total_cost is required in a CDR; an absent optional subtotal is no claim, so it is not compared.
    if ((theirs === undefined || theirs === null) && f !== 'total_cost') {
      if (ours !== null) notReported.push(f);
      continue;
    }
    check(`${f}.excl_vat`, theirs?.excl_vat, ours?.excl ?? null);
    // Price.incl_vat is optional in OCPI 2.2.1: compared only when the CPO sent it.
    if (theirs?.incl_vat !== undefined) check(`${f}.incl_vat`, theirs.incl_vat, ours?.incl ?? null);
  }
  for (const f of QTY_FIELDS) {
    const theirs = cdr[f] as number | undefined | null;
    if ((theirs === undefined || theirs === null) && f === 'total_parking_time') {
      if (result[f] !== new Dec(0).toFixed(result.policy.decimals)) notReported.push(f);
      continue;
    }
    check(f, theirs, new Dec(result[f]));
  }
  return {
    agrees: differences.length === 0,
    tolerance: str(tolerance),
    differences,
    compared,
    not_reported: notReported,
    computed: result,
  };
}
