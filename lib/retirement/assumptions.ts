import { type AssumptionOverrides, FACTORS } from "../portfolio/retirement-plan.js";
import { ASSET_CLASSES, type AssetClass } from "../portfolio/types.js";

/**
 * Capital-market assumptions: yearly *real* (after-inflation) arithmetic mean returns and volatilities per asset
 * class, their correlations, and inflation. All are long-run US historical figures, rounded; see
 * docs/retirement-model.md for the table and why history (not a forward-looking range) is the default.
 *
 * Sources
 * - DAMODARAN: A. Damodaran, "Historical Returns on Stocks, Bonds and Bills: 1928–2023" (NYU Stern, Jan 2024),
 *   annual real returns of the S&P 500 with dividends, the 10-year Treasury, 3-month T-bills, gold and CPI.
 * - NAREIT: FTSE Nareit All Equity REITs total returns 1972–2023, deflated by CPI.
 * - DMS: Dimson, Marsh & Staunton, "UBS Global Investment Returns Yearbook 2024" (1900–2023), used as a cross-check:
 *   US equities 6.6% and US bonds 1.6% real geometric a year, consistent with the arithmetic means below.
 * - JUDGEMENT: no long public series; stated as a blend and flagged as such.
 */
export const SOURCES = {
  DAMODARAN: "Damodaran, Historical Returns on Stocks, Bonds and Bills 1928–2023 (real, arithmetic)",
  NAREIT: "FTSE Nareit All Equity REITs 1972–2023, deflated by CPI",
  DAMODARAN_CPI: "Damodaran, same dataset: US CPI inflation 1928–2023",
  DMS: "Dimson–Marsh–Staunton, UBS Global Investment Returns Yearbook 2024 (cross-check)",
  JUDGEMENT: "Judgement: a 50/50 equity–bond blend with lower correlation; no long public series",
} as const;

export interface AssetAssumption {
  /** Yearly real arithmetic mean return (0.05 = 5%). */
  mean: number;
  /** Yearly standard deviation of the real return. */
  volatility: number;
  source: string;
}

export const DEFAULT_ASSET_ASSUMPTIONS: Readonly<Record<AssetClass, Readonly<AssetAssumption>>> = Object.freeze({
  equity: { mean: 0.084, volatility: 0.196, source: SOURCES.DAMODARAN },
  fixed_income: { mean: 0.02, volatility: 0.08, source: SOURCES.DAMODARAN },
  real_estate: { mean: 0.07, volatility: 0.19, source: SOURCES.NAREIT },
  commodities: { mean: 0.03, volatility: 0.19, source: SOURCES.DAMODARAN },
  cash: { mean: 0.004, volatility: 0.035, source: SOURCES.DAMODARAN },
  alternatives: { mean: 0.045, volatility: 0.11, source: SOURCES.JUDGEMENT },
});

/** CPI inflation, 1928–2023 (Damodaran): mean and standard deviation of the yearly rate. */
export const DEFAULT_INFLATION = Object.freeze({ mean: 0.03, volatility: 0.039, source: SOURCES.DAMODARAN_CPI });

/**
 * Correlations of yearly real returns (and of inflation with them), rounded from the same annual series; the
 * commodities row uses gold and the alternatives row is judgement. Rows and columns follow `FACTORS`.
 */
export const DEFAULT_CORRELATIONS: readonly (readonly number[])[] = Object.freeze([
  //  eq    fi    re    com   cash  alt   infl
  [1.0, 0.1, 0.6, 0.05, 0.05, 0.6, -0.2],
  [0.1, 1.0, 0.2, -0.1, 0.4, 0.3, -0.5],
  [0.6, 0.2, 1.0, 0.15, 0.0, 0.5, -0.1],
  [0.05, -0.1, 0.15, 1.0, -0.1, 0.2, 0.3],
  [0.05, 0.4, 0.0, -0.1, 1.0, 0.1, -0.6],
  [0.6, 0.3, 0.5, 0.2, 0.1, 1.0, -0.1],
  [-0.2, -0.5, -0.1, 0.3, -0.6, -0.1, 1.0],
]);

/** The assumptions one run used; recorded with the job. */
export interface MarketAssumptions {
  returns: Record<AssetClass, AssetAssumption>;
  inflation: AssetAssumption;
  correlations: number[][];
}

export class AssumptionError extends Error {
  override name = "AssumptionError";
}

/** Defaults with the overrides applied; throws `AssumptionError` for a correlation matrix that is not valid. */
export function marketAssumptions(overrides: AssumptionOverrides = {}): MarketAssumptions {
  const overridden = "user override";
  const returns = Object.fromEntries(
    ASSET_CLASSES.map((assetClass) => {
      const base = DEFAULT_ASSET_ASSUMPTIONS[assetClass];
      const change = overrides.returns?.[assetClass];
      return [assetClass, change ? { ...base, ...change, source: change.source ?? overridden } : { ...base }];
    }),
  ) as Record<AssetClass, AssetAssumption>;
  const inflation = overrides.inflation
    ? { ...DEFAULT_INFLATION, ...overrides.inflation, source: overridden }
    : { ...DEFAULT_INFLATION };
  const correlations = (overrides.correlations ?? DEFAULT_CORRELATIONS).map((row) => [...row]);
  checkCorrelations(correlations);
  return { returns, inflation, correlations };
}

function checkCorrelations(matrix: number[][]): void {
  matrix.forEach((row, i) => {
    if (row[i] !== 1) throw new AssumptionError(`correlations[${i}][${i}] (${FACTORS[i]}) must be 1`);
    row.forEach((value, j) => {
      if (Math.abs(value - matrix[j][i]) > 1e-9) {
        throw new AssumptionError(
          `correlations must be symmetric: ${FACTORS[i]}/${FACTORS[j]} differs from ${FACTORS[j]}/${FACTORS[i]}`,
        );
      }
    });
  });
  cholesky(matrix);
}

/**
 * Lower-triangular L with L·Lᵀ = `matrix` (Cholesky–Banachiewicz). Throws `AssumptionError` when the matrix is
 * not positive definite (a correlation matrix no market can have).
 */
export function cholesky(matrix: readonly (readonly number[])[]): number[][] {
  const n = matrix.length;
  const lower = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i][j];
      for (let k = 0; k < j; k++) sum -= lower[i][k] * lower[j][k];
      if (i === j) {
        if (sum <= 1e-12)
          throw new AssumptionError(`the correlation matrix is not positive definite (at ${FACTORS[i] ?? i})`);
        lower[i][i] = Math.sqrt(sum);
      } else {
        lower[i][j] = sum / lower[j][j];
      }
    }
  }
  return lower;
}

/** Covariance of two factors under the assumptions. */
function covariance(a: MarketAssumptions, i: number, j: number): number {
  const sigma = (k: number) =>
    k < ASSET_CLASSES.length ? a.returns[ASSET_CLASSES[k]].volatility : a.inflation.volatility;
  return a.correlations[i][j] * sigma(i) * sigma(j);
}

/**
 * Yearly real return of a portfolio rebalanced to `weights` (fractions), and its covariance with inflation:
 * mean wᵀμ − fees, variance wᵀΣw. Real returns are jointly normal, so the rebalanced portfolio's return is normal
 * with exactly these moments; the simulation draws it with inflation through a 2 × 2 Cholesky factor.
 */
export function portfolioMoments(weights: Record<AssetClass, number>, a: MarketAssumptions, feeRate = 0) {
  const inflationIndex = ASSET_CLASSES.length;
  let mean = -feeRate;
  let variance = 0;
  let withInflation = 0;
  ASSET_CLASSES.forEach((ci, i) => {
    mean += weights[ci] * a.returns[ci].mean;
    withInflation += weights[ci] * covariance(a, i, inflationIndex);
    ASSET_CLASSES.forEach((cj, j) => {
      variance += weights[ci] * weights[cj] * covariance(a, i, j);
    });
  });
  const volatility = Math.sqrt(Math.max(0, variance));
  const inflationVolatility = a.inflation.volatility;
  const correlation =
    volatility > 0 && inflationVolatility > 0 ? withInflation / (volatility * inflationVolatility) : 0;
  return { mean, volatility, inflationCorrelation: Math.max(-1, Math.min(1, correlation)) };
}

/**
 * Defaults for what a portfolio file leaves unsaid, each with its source; the outlook names every one it used.
 *
 * - Withdrawal tax: IRS Statistics of Income, "Individual Income Tax Shares, 2015" (SOI Bulletin, Winter 2018): income
 *   tax was 14.34% of adjusted gross income across all returns with tax, the highest of the ten years studied;
 *   rounded to 14%. Applied to the tax-deferred share (401(k), traditional IRA) when `withdrawal_tax_rate` is not given.
 * - Expense ratio: Investment Company Institute, "Trends in the Expenses and Fees of Funds, 2023" (ICI Research
 *   Perspective, March 2024): asset-weighted average expense ratio of equity mutual funds, 0.42%. Applied to a fund
 *   whose ratio is not known (never 0: an unknown fund is not assumed free).
 * - Single-stock volatility: a single US stock's total yearly volatility of about 40% (Campbell, Lettau, Malkiel & Xu,
 *   "Have Individual Stocks Become More Volatile?", Journal of Finance 56(1), 2001: firm-level volatility of roughly
 *   30–50% a year, well above the market's). The part above the market's (√(0.40² − σ_equity²)) is added, independent
 *   of the market, for each stock held, weighted by its share of the portfolio.
 */
export const ASSUMPTION_DEFAULTS = Object.freeze({
  withdrawal_tax_rate: {
    value: 0.14,
    source: "IRS Statistics of Income, Individual Income Tax Shares 2015: 14.34% of AGI across all returns, rounded",
  },
  expense_ratio: {
    value: 0.0042,
    source: "ICI, Trends in the Expenses and Fees of Funds 2023: asset-weighted average of equity mutual funds",
  },
  single_stock_volatility: {
    value: 0.4,
    source: "Campbell, Lettau, Malkiel & Xu (Journal of Finance, 2001): firm-level volatility of about 30–50% a year",
  },
});

/** Yearly volatility a single stock adds above the market's, independent of it: √(σ_stock² − σ_equity²). */
export function singleStockExcessVolatility(equityVolatility = DEFAULT_ASSET_ASSUMPTIONS.equity.volatility): number {
  const total = ASSUMPTION_DEFAULTS.single_stock_volatility.value;
  return Math.sqrt(Math.max(0, total * total - equityVolatility * equityVolatility));
}
