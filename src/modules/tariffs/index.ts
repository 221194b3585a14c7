// Tariffs module: the OCPI 2.2.1 tariff engine — validation, exact CDR pricing with a price proof,
// estimates, live cost, CDR audit and map price summaries. Other modules import only from here.

export {
  type AuditDifference,
  type AuditOutcome,
  type AuditReport,
  type AuditRequest,
  auditCdr,
} from './core/audit.ts';
export {
  type Estimate,
  type EstimateComponent,
  type EstimateOutcome,
  type EstimateRequest,
  estimateSession,
} from './core/estimate.ts';
export { type LiveCostRequest, liveCost } from './core/live.ts';
export { DEFAULT_PRICING_POLICY, type PricingPolicy, resolvePolicy } from './core/policy.ts';
export {
  type CostCategory,
  type CostTotalField,
  type LineDimension,
  type LineProof,
  type MoneyPair,
  type PeriodProof,
  type PriceBreakdown,
  type PriceLimitProof,
  type PriceResult,
  type PricingCdr,
  type PricingError,
  type PricingErrorCode,
  type PricingOutcome,
  type PricingPeriod,
  type PricingRequest,
  type PricingWarning,
  priceCdr,
  type StepRoundingProof,
} from './core/price.ts';
export { createPriceMemo, type PriceMemo } from './core/price-memo.ts';
export { type PriceTag, summarizeTariff, type TariffSummary, type VariesBy } from './core/summary.ts';
export {
  type CdrDimension,
  type CdrInput,
  CdrInputSchema,
  type ChargingPeriod,
  type OcpiTariff,
  type ParseCdrResult,
  type ParseTariffOptions,
  type ParseTariffResult,
  PricingTariffSchema,
  parseCdrInput,
  parseTariff,
  type Tariff,
  TariffSchema,
  type ValidationIssue,
} from './core/tariff.schema.ts';
