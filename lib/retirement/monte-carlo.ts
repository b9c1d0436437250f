import { z } from "zod";
import { ASSET_CLASSES, type AssetClass, type User } from "../portfolio/types.js";
import { cents, type Valuation } from "../portfolio/valuation.js";
import { createRandom } from "./random.js";

export const HORIZON_AGE = 95;
export const DEFAULT_PATHS = 10_000;
export const DEFAULT_SEED = 42;
export const DEFAULT_INFLATION = 0.03;
export const DEFAULT_CONTRIBUTION = 10_000;
export const SAFE_WITHDRAWAL_RATE = 0.04;
/** The shortest projection, for users already near or past the horizon age. */
export const MIN_YEARS_PROJECTED = 5;

/** Used by `retirementInputsFromValuation` when the user has not said. */
export const PROFILE_DEFAULTS = { current_age: 40, retirement_age: 65, target_retirement_income: 80_000 } as const;

export const AssetReturn = z.strictObject({
  mean: z.number().finite().gt(-1, "must be above -1 (a loss of 100%)").max(1),
  volatility: z.number().finite().min(0, "must not be negative").max(1),
});
export type AssetReturn = z.infer<typeof AssetReturn>;

/** Annual nominal returns: the original's table, plus commodities and alternatives (it gave them 0% or ignored them). */
export const DEFAULT_RETURNS: Readonly<Record<AssetClass, Readonly<AssetReturn>>> = Object.freeze({
  equity: Object.freeze({ mean: 0.07, volatility: 0.18 }),
  fixed_income: Object.freeze({ mean: 0.04, volatility: 0.05 }),
  real_estate: Object.freeze({ mean: 0.06, volatility: 0.12 }),
  commodities: Object.freeze({ mean: 0.03, volatility: 0.15 }),
  cash: Object.freeze({ mean: 0.02, volatility: 0 }),
  alternatives: Object.freeze({ mean: 0.05, volatility: 0.1 }),
});

const returnOf = (assetClass: AssetClass) => AssetReturn.default(() => ({ ...DEFAULT_RETURNS[assetClass] }));

/** Return assumptions by asset class; a class left out keeps its default. */
export const ReturnTable = z.strictObject({
  equity: returnOf("equity"),
  fixed_income: returnOf("fixed_income"),
  real_estate: returnOf("real_estate"),
  commodities: returnOf("commodities"),
  cash: returnOf("cash"),
  alternatives: returnOf("alternatives"),
});
export type ReturnTable = z.infer<typeof ReturnTable>;

const Weight = z.number().finite().min(0, "must not be negative").max(1, "must be at most 1").default(0);

/** Fractions of the portfolio by asset class, summing to 1 (or all 0 for an empty portfolio). */
export const AssetWeights = z
  .strictObject({
    equity: Weight,
    fixed_income: Weight,
    real_estate: Weight,
    commodities: Weight,
    cash: Weight,
    alternatives: Weight,
  })
  .superRefine((weights, ctx) => {
    const total = sum(Object.values(weights));
    if (total !== 0 && Math.abs(total - 1) > 1e-6) {
      ctx.addIssue({ code: "custom", message: `must add up to 1 (they add up to ${total}), or all be 0 for an empty portfolio` });
    }
  });
export type AssetWeights = z.infer<typeof AssetWeights>;

const Age = z.number().int("must be a whole number of years").min(0, "must not be negative");
const Money = z.number().finite().min(0, "must not be negative");

/** What the engine needs. Money is in USD; `target_income` is per year in today's dollars. */
export const RetirementInput = z
  .strictObject({
    current_value: Money,
    weights: AssetWeights.prefault({}),
    current_age: Age,
    retirement_age: Age,
    horizon_age: Age.max(120, "must be at most 120").default(HORIZON_AGE),
    target_income: Money,
    annual_contribution: Money.default(DEFAULT_CONTRIBUTION),
    inflation: z.number().finite().min(-0.5).max(1).default(DEFAULT_INFLATION),
    returns: ReturnTable.prefault({}),
    paths: z.number().int().min(1).max(1_000_000).default(DEFAULT_PATHS),
    seed: z.number().int().min(0).max(0xffff_ffff).default(DEFAULT_SEED),
  })
  .superRefine(({ current_age, retirement_age, horizon_age }, ctx) => {
    const problem = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
    if (current_age > horizon_age) problem("current_age", `${current_age} is beyond horizon_age ${horizon_age}`);
    if (retirement_age < current_age) problem("retirement_age", `${retirement_age} is before current_age ${current_age}`);
    if (retirement_age > horizon_age) problem("retirement_age", `${retirement_age} is beyond horizon_age ${horizon_age}`);
  });
export type RetirementInput = z.infer<typeof RetirementInput>;
/** What callers pass: fields with defaults may be left out. */
export type RetirementInputDraft = z.input<typeof RetirementInput>;

export class RetirementInputError extends Error {
  override name = "RetirementInputError";
}

/** Validates and fills defaults; throws `RetirementInputError` naming every bad field. */
export function parseRetirementInput(draft: unknown): RetirementInput {
  const result = RetirementInput.safeParse(draft);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`);
  throw new RetirementInputError(`Invalid retirement input: ${problems.join("; ")}`);
}

export interface PercentileValues {
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

export interface ProjectionRow extends PercentileValues {
  /** 0 = today. Values are nominal USD at the end of the year, after its contribution or withdrawal. */
  year: number;
  age: number;
  phase: "accumulation" | "retirement";
  /** Nominal withdrawal taken at the end of this year: target_income × (1 + inflation)^year; 0 before retirement. */
  withdrawal: number;
  /** The zero-volatility (mean return) value. */
  expected: number;
}

export interface RetirementAssumptions {
  returns: ReturnTable;
  weights: AssetWeights;
  /** Annual mean and σ of the rebalanced portfolio. */
  portfolio_return: { mean: number; volatility: number };
  inflation: number;
  annual_contribution: number;
  target_income: number;
  current_value: number;
  current_age: number;
  retirement_age: number;
  horizon_age: number;
  paths: number;
  seed: number;
  model: string;
}

export interface RetirementOutlook {
  /** % of paths that pay every withdrawal in full until the horizon. */
  success_rate: number;
  value_at_retirement: PercentileValues & { expected: number };
  safe_withdrawal: { rule: string; rate: number; nominal: number; today: number };
  /**
   * The constant income (today's dollars, inflation-linked) the zero-volatility path pays until the horizon;
   * null without retirement years.
   */
  sustainable_income_today: number | null;
  /** Retirement years whose withdrawal was paid in full, across paths. */
  years_lasted: PercentileValues & { mean: number; retirement_years: number };
  /** Age by which that share of paths has run out of money; null when fewer paths ever run out. */
  depletion_age: Record<keyof PercentileValues, number | null>;
  projections: ProjectionRow[];
  assumptions: RetirementAssumptions;
}

/** The user fields the model reads; a `User` fits. */
export type RetirementProfile = Partial<
  Pick<User, "current_age" | "years_until_retirement" | "target_retirement_income" | "annual_contribution">
>;

const PERCENTILES = [10, 25, 50, 75, 90] as const;
const PERCENTILE_KEYS = ["p10", "p25", "p50", "p75", "p90"] as const;

const MODEL_DESCRIPTION =
  "Annual steps over every year from now to horizon_age. Each asset class's return is drawn independently from a normal " +
  "distribution every year and the weights are rebalanced yearly, so the portfolio return is normal with the weighted mean " +
  "and σ = √Σ(w·σ)², drawn directly; growth is floored at -100%. Before retirement_age the contribution is added at the end " +
  "of each year; after it, target_income × (1 + inflation)^t is withdrawn at the end of each year t. A path fails when a " +
  "withdrawal exceeds its value. Values are nominal USD; percentiles are nearest-rank across paths.";

/** Asset-class weights as fractions of the classified value (unclassified value is assumed to follow the same mix). Empty → all 0. */
export function assetWeights(valuation: Pick<Valuation, "allocation">): AssetWeights {
  const amounts = ASSET_CLASSES.map((assetClass) => Math.max(0, valuation.allocation.asset_class[assetClass] ?? 0));
  const total = sum(amounts);
  return Object.fromEntries(ASSET_CLASSES.map((assetClass, i) => [assetClass, total > 0 ? amounts[i] / total : 0])) as AssetWeights;
}

/**
 * Engine input from a job's valuation and the user's fields. Unknown fields take `PROFILE_DEFAULTS`
 * (age 40, retire at 65 or now if older, target $80,000) and `DEFAULT_CONTRIBUTION`; a retirement age past the horizon is capped.
 */
export function retirementInputsFromValuation(
  valuation: Pick<Valuation, "total_value" | "allocation">,
  profile: RetirementProfile,
  overrides: Partial<RetirementInputDraft> = {},
): RetirementInputDraft {
  const currentAge = Math.floor(profile.current_age ?? PROFILE_DEFAULTS.current_age);
  // Someone already near or past 95 still gets a few years of projection.
  const horizonAge = overrides.horizon_age ?? Math.min(120, Math.max(HORIZON_AGE, currentAge + MIN_YEARS_PROJECTED));
  const retirementAge =
    profile.years_until_retirement == null
      ? Math.max(currentAge, PROFILE_DEFAULTS.retirement_age)
      : currentAge + Math.round(profile.years_until_retirement);
  return {
    current_value: valuation.total_value,
    weights: assetWeights(valuation),
    current_age: currentAge,
    retirement_age: Math.min(retirementAge, horizonAge),
    horizon_age: horizonAge,
    target_income: profile.target_retirement_income ?? PROFILE_DEFAULTS.target_retirement_income,
    annual_contribution: profile.annual_contribution ?? DEFAULT_CONTRIBUTION,
    ...overrides,
  };
}

/** Mean and σ of the yearly return of a portfolio rebalanced to `weights`, classes independent. */
export function portfolioReturn(weights: AssetWeights, returns: ReturnTable): { mean: number; volatility: number } {
  let mean = 0;
  let variance = 0;
  for (const assetClass of ASSET_CLASSES) {
    mean += weights[assetClass] * returns[assetClass].mean;
    variance += (weights[assetClass] * returns[assetClass].volatility) ** 2;
  }
  return { mean, volatility: Math.sqrt(variance) };
}

/** The numbers the simulation runs on; years count from today (year 0). */
interface Plan {
  startValue: number;
  contribution: number;
  target: number;
  inflation: number;
  mean: number;
  volatility: number;
  currentAge: number;
  retirementYear: number;
  horizonYear: number;
  paths: number;
  seed: number;
}

function planFrom(input: RetirementInput): Plan {
  const { mean, volatility } = portfolioReturn(input.weights, input.returns);
  return {
    startValue: input.current_value,
    contribution: input.annual_contribution,
    target: input.target_income,
    inflation: input.inflation,
    mean,
    volatility,
    currentAge: input.current_age,
    retirementYear: input.retirement_age - input.current_age,
    horizonYear: input.horizon_age - input.current_age,
    paths: input.paths,
    seed: input.seed,
  };
}

/** Nominal withdrawal at the end of `year`: 0 before retirement, then the target grown by inflation since today. */
function withdrawalIn(plan: Plan, year: number): number {
  return year > plan.retirementYear ? plan.target * (1 + plan.inflation) ** year : 0;
}

function cashFlowIn(plan: Plan, year: number): number {
  return year > plan.retirementYear ? -withdrawalIn(plan, year) : plan.contribution;
}

/** Σ_{m=0}^{n−1} (1+x)^m, accurate near x = 0. */
function geometricSum(x: number, n: number): number {
  return x === 0 ? n : Math.expm1(n * Math.log1p(x)) / x;
}

/**
 * Closed-form value at the end of `year` on the zero-volatility path (return = portfolio mean r every year):
 * before retirement V0·(1+r)^t + c·((1+r)^t − 1)/r; after it, the value at retirement grown by (1+r)^k minus the
 * k withdrawals T·(1+i)^(R+j) each grown to year R+k; 0 once a withdrawal cannot be paid.
 */
function closedForm(plan: Plan, year: number): number {
  const growth = 1 + plan.mean;
  const saved = Math.min(year, plan.retirementYear);
  const atRetirement = plan.startValue * growth ** saved + plan.contribution * geometricSum(plan.mean, saved);
  const retiredYears = year - plan.retirementYear;
  if (retiredYears <= 0) return atRetirement;
  const withdrawn = plan.target * withdrawnPerTodayDollar(plan, retiredYears);
  return Math.max(0, atRetirement * growth ** retiredYears - withdrawn);
}

/** Σ_{j=1..k} (1+i)^(R+j)·(1+r)^(k−j): the first k retirement withdrawals of $1 of today's income, grown to year R+k. */
function withdrawnPerTodayDollar(plan: Plan, retiredYears: number): number {
  const growth = 1 + plan.mean;
  const inflationGrowth = 1 + plan.inflation;
  return (
    inflationGrowth ** (plan.retirementYear + 1) *
    growth ** (retiredYears - 1) *
    geometricSum(inflationGrowth / growth - 1, retiredYears)
  );
}

function sustainableIncome(plan: Plan): number | null {
  const retiredYears = plan.horizonYear - plan.retirementYear;
  if (retiredYears === 0) return null;
  const grownAtHorizon = closedForm(plan, plan.retirementYear) * (1 + plan.mean) ** retiredYears;
  return grownAtHorizon / withdrawnPerTodayDollar(plan, retiredYears);
}

/** Closed-form zero-volatility value at the end of `year` (unrounded); what the engine gives when every σ is 0. */
export function closedFormValue(draft: RetirementInputDraft, year: number): number {
  const plan = planFrom(parseRetirementInput(draft));
  if (!Number.isInteger(year) || year < 0 || year > plan.horizonYear) {
    throw new RangeError(`year ${year} is outside 0..${plan.horizonYear}`);
  }
  return closedForm(plan, year);
}

/** The largest target income (today's dollars) the zero-volatility path pays in full to the horizon; null without retirement years. */
export function closedFormSustainableIncome(draft: RetirementInputDraft): number | null {
  return sustainableIncome(planFrom(parseRetirementInput(draft)));
}

/**
 * Nearest-rank percentiles (`percents` ascending, 0 < p ≤ 100) of `values`, by quickselect. Reorders `values`.
 */
export function percentilesOf(values: Float64Array, percents: readonly number[]): number[] {
  let lo = 0;
  return percents.map((percent) => {
    const rank = rankOf(percent, values.length);
    selectInPlace(values, rank, lo, values.length - 1);
    lo = rank;
    return values[rank];
  });
}

/** 0-based nearest-rank index of a percentile among `n` sorted values. */
function rankOf(percent: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil((percent * n) / 100) - 1));
}

/** Moves the `k`-th smallest of `a[lo..hi]` to index k, smaller ones before it, larger after (Hoare partitioning). */
function selectInPlace(a: Float64Array, k: number, lo: number, hi: number): void {
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const swap = a[i];
        a[i] = a[j];
        a[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

interface Simulation {
  /** PERCENTILES for each year, flattened: year y at [y·5, y·5 + 5). */
  percentiles: Float64Array;
  /** Paths by the year their withdrawal first fell short; index horizonYear + 1 counts paths that never did. */
  failuresByYear: Int32Array;
}

/** Runs every path year by year; each path draws one normal per year whatever its state, so paths match across inputs. */
function simulatePaths(plan: Plan): Simulation {
  const { paths, horizonYear, mean, volatility } = plan;
  const never = horizonYear + 1;
  const values = new Float64Array(paths).fill(plan.startValue);
  const scratch = new Float64Array(paths);
  const failureYear = new Int32Array(paths).fill(never);
  const percentiles = new Float64Array((horizonYear + 1) * PERCENTILES.length);
  const random = createRandom(plan.seed);
  const recordPercentiles = (year: number) => {
    scratch.set(values);
    percentiles.set(percentilesOf(scratch, PERCENTILES), year * PERCENTILES.length);
  };

  recordPercentiles(0);
  for (let year = 1; year <= horizonYear; year++) {
    const cashFlow = cashFlowIn(plan, year);
    for (let path = 0; path < paths; path++) {
      const growth = 1 + mean + volatility * random.normal();
      let value = values[path] * (growth > 0 ? growth : 0) + cashFlow;
      if (value < 0) {
        value = 0;
        if (failureYear[path] === never) failureYear[path] = year;
      }
      values[path] = value;
    }
    recordPercentiles(year);
  }

  const failuresByYear = new Int32Array(never + 1);
  for (const year of failureYear) failuresByYear[year]++;
  return { percentiles, failuresByYear };
}

/** The `rank`-th smallest year (0-based) in a histogram of years. */
function rankedYear(countsByYear: Int32Array, rank: number): number {
  let seen = 0;
  for (let year = 0; year < countsByYear.length; year++) {
    seen += countsByYear[year];
    if (seen > rank) return year;
  }
  return countsByYear.length - 1;
}


function percentileValuesAt(simulation: Simulation, year: number): PercentileValues {
  const offset = year * PERCENTILES.length;
  return mapPercentiles((_, i) => cents(simulation.percentiles[offset + i]));
}

function mapPercentiles<T>(valueOf: (percent: number, index: number) => T): Record<keyof PercentileValues, T> {
  return Object.fromEntries(PERCENTILE_KEYS.map((key, i) => [key, valueOf(PERCENTILES[i], i)])) as Record<keyof PercentileValues, T>;
}

function projectionRows(plan: Plan, simulation: Simulation): ProjectionRow[] {
  return Array.from({ length: plan.horizonYear + 1 }, (_, year) => ({
    year,
    age: plan.currentAge + year,
    phase: isSaving(plan, year) ? "accumulation" : "retirement",
    ...percentileValuesAt(simulation, year),
    withdrawal: cents(withdrawalIn(plan, year)),
    expected: cents(closedForm(plan, year)),
  }));
}

/** Years up to retirement save; year 0 belongs to the saving phase unless the user retires today. */
function isSaving(plan: Plan, year: number): boolean {
  return year === 0 ? plan.retirementYear > 0 : year <= plan.retirementYear;
}

function yearsLasted(plan: Plan, { failuresByYear }: Simulation): RetirementOutlook["years_lasted"] {
  const lastedFrom = (failureYear: number) => failureYear - plan.retirementYear - 1;
  let total = 0;
  failuresByYear.forEach((count, year) => {
    if (count > 0) total += count * lastedFrom(year);
  });
  return {
    retirement_years: plan.horizonYear - plan.retirementYear,
    mean: round1(total / plan.paths),
    ...mapPercentiles((percent) => lastedFrom(rankedYear(failuresByYear, rankOf(percent, plan.paths)))),
  };
}

function depletionAges(plan: Plan, { failuresByYear }: Simulation): RetirementOutlook["depletion_age"] {
  return mapPercentiles((percent) => {
    const year = rankedYear(failuresByYear, rankOf(percent, plan.paths));
    return year <= plan.horizonYear ? plan.currentAge + year : null;
  });
}

function safeWithdrawal(plan: Plan, medianAtRetirement: number): RetirementOutlook["safe_withdrawal"] {
  const nominal = SAFE_WITHDRAWAL_RATE * medianAtRetirement;
  return {
    rule: "4% of the median value at retirement, as the first year's income; nominal is in retirement-year dollars",
    rate: SAFE_WITHDRAWAL_RATE,
    nominal: cents(nominal),
    today: cents(nominal / (1 + plan.inflation) ** plan.retirementYear),
  };
}

function assumptionsOf(input: RetirementInput, plan: Plan): RetirementAssumptions {
  return {
    returns: input.returns,
    weights: Object.fromEntries(ASSET_CLASSES.map((c) => [c, round4(input.weights[c])])) as AssetWeights,
    portfolio_return: { mean: round4(plan.mean), volatility: round4(plan.volatility) },
    inflation: input.inflation,
    annual_contribution: input.annual_contribution,
    target_income: input.target_income,
    current_value: input.current_value,
    current_age: input.current_age,
    retirement_age: input.retirement_age,
    horizon_age: input.horizon_age,
    paths: input.paths,
    seed: input.seed,
    model: MODEL_DESCRIPTION,
  };
}

/** Runs the seeded Monte Carlo; pure: the same input (seed included) gives the same outlook. Throws `RetirementInputError`. */
export function simulateRetirement(draft: RetirementInputDraft): RetirementOutlook {
  const input = parseRetirementInput(draft);
  const plan = planFrom(input);
  const simulation = simulatePaths(plan);
  const atRetirement = percentileValuesAt(simulation, plan.retirementYear);
  const sustainable = sustainableIncome(plan);
  return {
    success_rate: round1((100 * simulation.failuresByYear[plan.horizonYear + 1]) / plan.paths),
    value_at_retirement: { ...atRetirement, expected: cents(closedForm(plan, plan.retirementYear)) },
    safe_withdrawal: safeWithdrawal(plan, atRetirement.p50),
    sustainable_income_today: sustainable === null ? null : cents(sustainable),
    years_lasted: yearsLasted(plan, simulation),
    depletion_age: depletionAges(plan, simulation),
    projections: projectionRows(plan, simulation),
    assumptions: assumptionsOf(input, plan),
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
