import { symbolList } from "../format.js";
import type { MarketAssumptions } from "./assumptions.js";
import { type AssumedDefault, HORIZON_AGE } from "./input.js";
import type { RetirementOutlook } from "./outlook.js";
import {
  fits,
  hasIncomeBridge,
  hasSavingYearsAhead,
  hasValue,
  incomeSourcesNamed,
  onlyUnpricedHoldings,
} from "./rules.js";

/** `$1,235` from a whole-dollar outlook field. */
const usd = (value: number) => `$${value.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
const pct = (value: number, digits = 1) => `${value.toFixed(digits)}%`;
const years = (n: number) => `${n} year${n === 1 ? "" : "s"}`;

const VERDICT_TEXT = {
  on_track: "on track",
  close: "close, with work to do",
  off_track: "not on track yet",
} as const;

/** Income sources paying by `age`, named as given. */
function sourcesBy(o: RetirementOutlook, age: number): string {
  return incomeSourcesNamed({ ...o, income_sources: o.income_sources.filter((s) => s.start_age <= age) });
}

/** Sources starting after `age`, named as given, and the latest start age. */
function laterSources(o: RetirementOutlook, age: number): { names: string; from: number } | null {
  const later = o.income_sources.filter((s) => s.start_age > age);
  if (later.length === 0) return null;
  return {
    names: incomeSourcesNamed({ ...o, income_sources: later }),
    from: Math.max(...later.map((s) => s.start_age)),
  };
}

const verbFor = (names: string, singular: string, plural: string) => (/ and /.test(names) ? plural : singular);

/** The headline: what share of markets pay the target, or why there is nothing to test. */
export function headline(o: RetirementOutlook): string {
  const m = o.money;
  if (o.verdict === "no_target") {
    return "No retirement income target is set, so there is no spending to test the portfolio against; the projection shows how the savings grow.";
  }
  if (o.verdict === "covered_by_income") {
    const names = sourcesBy(o, o.retirement_age);
    return `${names} (${usd(m.income_at_retirement)} a year at ${o.retirement_age}) ${verbFor(names, "covers", "cover")} the whole ${usd(m.target_income)} target in every retirement year, so the portfolio is a reserve rather than the source of income.`;
  }
  const span =
    o.situation === "retired"
      ? `for ${years(o.retirement_years)}, from now (age ${o.current_age}) to age ${o.horizon_age}`
      : `for ${years(o.retirement_years)}, from age ${o.retirement_age} to age ${o.horizon_age}`;
  return `Across ${o.paths.toLocaleString("en-US")} simulated markets, **${pct(o.success_rate)}** of paths pay ${usd(m.target_income)} a year of spending ${span}: ${VERDICT_TEXT[o.verdict]}.`;
}

function horizonNote(o: RetirementOutlook): string[] {
  if (!o.horizon_extended) return [];
  const why = o.situation === "saving" ? `retirement starts at ${o.retirement_age}` : `you are ${o.current_age}`;
  return [`The plan runs to age ${o.horizon_age} instead of the usual ${HORIZON_AGE} because ${why}.`];
}

const PROFILE_DEFAULT_TEXT: Record<string, (o: RetirementOutlook) => string> = {
  current_age: (o) => `current age ${o.current_age}`,
  retirement_age: (o) => `retirement at ${o.retirement_age}`,
  target_retirement_income: (o) => `spending of ${usd(o.money.target_income)} a year`,
  annual_contribution: (o) =>
    o.money.annual_contribution > 0
      ? `yearly contributions of ${usd(o.money.annual_contribution)}`
      : "no contributions",
};

const ASSUMED_TEXT: Record<AssumedDefault["assumption"], (a: AssumedDefault) => string> = {
  withdrawal_tax_rate: (a) =>
    `a ${pct(a.percent, 0)} effective income tax on withdrawals from the tax-deferred accounts (${a.applies_to.join(", ")}), as no withdrawal tax rate is given`,
  expense_ratio: (a) =>
    `fund fees of ${pct(a.percent, 2)} a year for ${a.applies_to.join(", ")}, whose expense ratio is not known`,
  single_stock_volatility: (a) =>
    `single-stock volatility of ${pct(a.percent, 0)} a year for ${a.applies_to.join(", ")}, not the broad market's`,
};

/** Every default the outlook used, named: the profile's and the modelling ones, each with its source. */
export function defaultsLines(o: RetirementOutlook): string[] {
  const lines: string[] = [];
  const used = o.defaults_used.filter((field) => field !== "annual_contribution" || hasSavingYearsAhead(o));
  const profile = used.map((field) => PROFILE_DEFAULT_TEXT[field]?.(o) ?? field.replaceAll("_", " "));
  if (profile.length > 0) {
    lines.push(`> Not given, so assumed: ${profile.join(", ")}. Set them in the portfolio file for your own plan.`);
  }
  for (const a of o.assumed) lines.push(`> Assumed: ${ASSUMED_TEXT[a.assumption](a)} (source: ${a.source}).`);
  return lines;
}

/** "With 300 shares of X unpriced" style opening for a portfolio whose only holdings have no price. */
function unpricedNote(o: RetirementOutlook): string {
  return `No price is known for ${symbolList(o.unpriced)}, so ${o.unpriced.length === 1 ? "it counts" : "they count"} as $0 here and the outlook cannot project ${o.unpriced.length === 1 ? "it" : "them"} until priced.`;
}

function savingsLines(o: RetirementOutlook): string[] {
  const m = o.money;
  const v = m.value_at_retirement;
  if (o.empty) {
    // A retiree has no earned-income years: contributions are not theirs to plan (the contribution_advice rule).
    const saving = hasSavingYearsAhead(o);
    return [
      fits("nothing_saved", o)
        ? `Nothing is saved yet${saving ? " and no contributions are planned" : ""}, so the portfolio cannot fund any retirement spending.`
        : `${unpricedNote(o)}${saving ? " No contributions are planned." : ""}`,
    ];
  }
  if (o.situation === "retired") {
    return [`Withdrawals start now, at age ${o.current_age}, from today's ${usd(m.current_value)}.`];
  }
  const adding =
    m.annual_contribution > 0
      ? `adding ${usd(m.annual_contribution)} a year${o.rates.contribution_growth === 0 ? " (kept level in today's dollars)" : `, growing ${pct(o.rates.contribution_growth)} a year above inflation,`} for ${years(o.years_to_retirement)}`
      : `with no further contributions over ${years(o.years_to_retirement)}`;
  const start = hasValue(o)
    ? `Starting from ${usd(m.current_value)} and ${adding}`
    : `${onlyUnpricedHoldings(o) ? `${unpricedNote(o)} ` : ""}From nothing priced today and ${adding}`;
  return [
    `${start}, the median value at ${o.retirement_age} is **${usd(v.p50)}** in today's dollars (10th–90th percentile ${usd(v.p10)} – ${usd(v.p90)}).`,
  ];
}

/** The first-year rate, or with a bridge to later income both the bridge rate and the lifetime rate after it. */
function withdrawalRateText(o: RetirementOutlook): string {
  if (o.withdrawal_rate === null) return "";
  const later = laterSources(o, o.retirement_age);
  const lifetime = hasIncomeBridge(o) && later !== null ? o.withdrawal_rate_after_income : o.withdrawal_rate;
  const compare =
    lifetime !== null && lifetime > 4 && fits("four_percent_comparison", o)
      ? ", above the roughly 4% that has historically lasted 30 years"
      : "";
  if (!hasIncomeBridge(o) || later === null) {
    return ` That is ${pct(o.withdrawal_rate)} of the median value at retirement${compare}.`;
  }
  const after =
    o.money.withdrawal_after_income === null
      ? ""
      : o.money.withdrawal_after_income === 0
        ? ` Once ${later.names} ${verbFor(later.names, "starts", "start")} at ${later.from}, the portfolio pays nothing more.`
        : ` Once ${later.names} ${verbFor(later.names, "starts", "start")} at ${later.from}, the portfolio pays ${usd(o.money.withdrawal_after_income)} a year${o.withdrawal_rate_after_income === null ? "" : `, ${pct(o.withdrawal_rate_after_income)} of the median value then: the lifetime rate${compare}`}.`;
  return ` That is ${pct(o.withdrawal_rate)} of the median value at retirement until ${later.names} ${verbFor(later.names, "starts", "start")}, a bridge rather than the lifetime rate.${after}`;
}

function incomeLines(o: RetirementOutlook): string[] {
  const m = o.money;
  if (o.verdict === "no_target") return [];
  const lines: string[] = [];
  if (m.first_year_withdrawal > 0 && m.value_at_retirement.p50 === 0 && m.value_at_retirement.p90 === 0) {
    lines.push(
      `With ${onlyUnpricedHoldings(o) ? "no priced savings" : "nothing saved"} by age ${o.retirement_age}, the portfolio cannot pay any of the ${usd(m.first_year_withdrawal)} the first retirement year needs.`,
    );
  } else if (m.first_year_withdrawal > 0) {
    const less =
      m.income_at_retirement > 0 ? ` less ${usd(m.income_at_retirement)} from ${sourcesBy(o, o.retirement_age)}` : "";
    const tax = o.rates.tax > 0 ? `, grossed up for ${pct(o.rates.tax)} tax on the tax-deferred share` : "";
    lines.push(
      `In the first retirement year (age ${o.retirement_age}) the portfolio provides ${usd(m.first_year_withdrawal)}: the ${usd(m.target_income)} target${less}${tax}.${withdrawalRateText(o)}`,
    );
    // With a bridge, the rate sentence already says when the later income starts (it needs a median value).
    if (o.income_full_age !== null && m.income_full > m.income_at_retirement && o.withdrawal_rate === null) {
      const names = sourcesBy(o, o.income_full_age);
      lines.push(
        `From age ${o.income_full_age}, ${names} ${verbFor(names, "pays", "pay")} ${usd(m.income_full)} a year, and the withdrawals fall accordingly.`,
      );
    }
  } else if (!o.income_covers_target) {
    lines.push(
      `${sourcesBy(o, o.retirement_age)} ${verbFor(sourcesBy(o, o.retirement_age), "covers", "cover")} the first retirement year; the portfolio pays the rest of the ${usd(m.target_income)} target in later years.`,
    );
  }
  return lines;
}

function gapLines(o: RetirementOutlook): string[] {
  if (o.verdict === "no_target") return ["Set a yearly income target to see whether the savings can fund it."];
  if (o.verdict === "covered_by_income") return ["There is no gap: guaranteed income covers the target."];
  const depletion =
    o.depletion_age.p10 === null
      ? `Fewer than 10% of paths run out of money before age ${o.horizon_age}.`
      : o.depletion_age.p50 === o.depletion_age.p10
        ? `In half or more of the markets the money runs out by age ${o.depletion_age.p10}.`
        : `In the worst 10% of markets the money runs out by age ${o.depletion_age.p10}${o.depletion_age.p50 === null ? "" : `; in half of them by age ${o.depletion_age.p50}`}.`;
  return [[...whatItTakesLines(o), depletion].join(" ")];
}

/** "What it takes": each single lever that reaches the target success rate, from `outlook.what_it_takes`. */
export function whatItTakesLines(o: RetirementOutlook): string[] {
  const w = o.what_it_takes;
  if (w === null) return [];
  const target = pct(w.target_success, 0);
  if (w.reached) {
    return w.spending_per_year === null
      ? []
      : [`In ${target} of simulated markets the plan pays up to ${usd(w.spending_per_year)} a year of spending.`];
  }
  if (o.situation === "retired") {
    const atTarget =
      w.spending_per_year === null
        ? `No level of spending beyond what income covers is paid in ${target} of markets.`
        : `Spending ${usd(w.spending_per_year)} a year instead of ${usd(o.money.target_income)} is paid in ${target} of markets.`;
    const atHalf =
      w.spending_per_year_at_50 === null ? "" : ` Half of the markets pay ${usd(w.spending_per_year_at_50)} a year.`;
    const how = fits("flexible_spending", o)
      ? " Spending less after bad years, or adding income, also helps."
      : " At this success rate only a lasting change helps: lower spending, or more income.";
    return [`${atTarget}${atHalf}${how}`];
  }
  const levers = [
    w.contribution_per_year === null || !fits("contribution_advice", o)
      ? null
      : `saving ${usd(w.contribution_per_year)} a year (instead of ${usd(o.money.annual_contribution)})`,
    w.retirement_age === null ? null : `retiring at ${w.retirement_age} (instead of ${o.retirement_age})`,
    w.spending_per_year === null
      ? null
      : `spending ${usd(w.spending_per_year)} a year (instead of ${usd(o.money.target_income)})`,
  ].filter((lever): lever is string => lever !== null);
  if (levers.length === 0) return [`No single change of saving, retirement age or spending reaches ${target}.`];
  return [`Any one of these reaches ${target} of markets, the rest of the plan unchanged: ${levers.join("; ")}.`];
}

function riskLines(o: RetirementOutlook): string[] {
  const lines: string[] = [];
  if (o.all_cash) {
    lines.push(
      `- Growth: everything is in cash, earning ${pct(o.rates.real_return)} a year after inflation, so inflation, not market swings, is the main risk.`,
    );
  } else if (o.rates.volatility > 0) {
    lines.push(
      `- Sequence of returns: the portfolio's real return varies by about ${pct(o.rates.volatility)} a year; losses early in retirement hurt most.`,
    );
  }
  const [largest] = o.single_stocks;
  if (largest) {
    const others =
      o.single_stocks.length > 1
        ? ` (with ${o.single_stocks.length - 1} other single stock${o.single_stocks.length > 2 ? "s" : ""})`
        : "";
    lines.push(
      `- Concentration: ${largest.symbol} is ${pct(largest.percent)} of the portfolio${others}; a single company can fall far more than the market, so it is modelled with single-stock volatility.`,
    );
  }
  lines.push(
    o.has_fixed_income
      ? "- Inflation: amounts are in today's dollars; fixed-dollar pensions lose buying power as prices rise, and the simulation draws inflation for them."
      : "- Inflation: amounts are in today's dollars; returns are modelled after inflation.",
  );
  lines.push(`- Longevity: the plan runs to age ${o.horizon_age}; living longer needs a reserve.`);
  if (o.rates.fee > 0)
    lines.push(
      `- Fees: fund expense ratios of ${pct(o.rates.fee, 2)} a year of the portfolio are deducted from returns.`,
    );
  if (o.money.unclassified_value > 0) {
    lines.push(
      `- ${usd(o.money.unclassified_value)} is not classified by asset class and is assumed to follow the rest of the mix.`,
    );
  }
  return lines;
}

/** The outlook's own dated steps, each checked against the rules; used when no action plan is given. */
export function outlookSteps(o: RetirementOutlook): string[] {
  const steps: string[] = [];
  if (o.empty) {
    if (fits("contribution_advice", o))
      steps.push("This year: start regular contributions, even small ones, and keep an emergency fund.");
  } else if (o.situation === "saving") {
    if (fits("contribution_advice", o))
      steps.push(
        o.money.annual_contribution > 0
          ? `This year: keep the ${usd(o.money.annual_contribution)} yearly contribution automatic and raise it with pay.`
          : "This year: start a regular yearly contribution; none is planned.",
      );
    if (o.all_cash)
      steps.push(
        `This year: decide how much of the cash is not needed within a few years and choose a stock/bond mix for it; cash earns ${pct(o.rates.real_return)} a year after inflation.`,
      );
    else if (o.years_to_retirement > 10)
      steps.push(
        `Around age ${o.retirement_age - 10}: review the stock/bond mix to limit sequence risk near retirement.`,
      );
    else if (o.income_covers_target)
      steps.push(
        `Before retiring at ${o.retirement_age}: confirm the start dates and amounts of ${incomeSourcesNamed(o)}.`,
      );
    else
      steps.push(
        `Before retiring at ${o.retirement_age}: decide the first year's withdrawal and keep a cash buffer for it.`,
      );
  } else if (o.income_covers_target || o.verdict === "no_target") {
    if (o.income_sources.length > 0)
      steps.push(
        `Every year: confirm that ${incomeSourcesNamed(o)} still ${verbFor(incomeSourcesNamed(o), "covers", "cover")} spending, and keep the portfolio as a reserve.`,
      );
  } else if (fits("flexible_spending", o)) {
    steps.push("Every year: review withdrawals against the portfolio's value and spend less after a bad year.");
  } else {
    const spend = o.what_it_takes?.spending_per_year;
    steps.push(
      spend == null
        ? "This year: make a lasting change to spending or income; the portfolio cannot pay the target in most markets."
        : `This year: make a lasting change; the portfolio pays ${usd(spend)} a year in ${pct(o.what_it_takes?.target_success ?? 85, 0)} of markets.`,
    );
  }
  steps.push(
    o.empty || o.all_cash || !hasValue(o)
      ? "Every year: re-run this outlook as the portfolio changes."
      : "Every year: rebalance to the target mix and re-run this outlook.",
  );
  return steps;
}

/**
 * The outlook's plan section: the shared action plan's texts when given (lib/advice ranks them for the page, the
 * report and this outlook alike), else the outlook's own steps. Numbered markdown.
 */
export function planLines(o: RetirementOutlook, actions?: readonly { text: string }[]): string[] {
  const steps = actions && actions.length > 0 ? actions.map((action) => action.text) : outlookSteps(o);
  return steps.map((step, i) => `${i + 1}. ${step}`);
}

/** The assumptions as a markdown table (real returns, volatility, source) for the classes held. */
export function assumptionsTable(market: MarketAssumptions, weights: Record<string, number>): string {
  const held = Object.entries(market.returns).filter(([assetClass]) => (weights[assetClass] ?? 0) > 0);
  const rows = held.map(
    ([assetClass, r]) =>
      `| ${assetClass.replaceAll("_", " ")} | ${pct(weights[assetClass] * 100)} | ${pct(r.mean * 100)} | ${pct(r.volatility * 100)} | ${r.source} |`,
  );
  const inflation = `| inflation | — | ${pct(market.inflation.mean * 100)} | ${pct(market.inflation.volatility * 100)} | ${market.inflation.source} |`;
  return [
    "| Asset class | Weight | Real mean | Volatility | Source |",
    "|---|---|---|---|---|",
    ...rows,
    inflation,
  ].join("\n");
}

/**
 * retirement.md: every sentence from the outlook. `actions`, the shared action plan (lib/advice), becomes the plan
 * section when given, so the outlook, the report and the page list the same actions.
 */
export function renderRetirementMarkdown(
  o: RetirementOutlook,
  market: MarketAssumptions,
  weights: Record<string, number>,
  actions?: readonly { text: string }[],
): string {
  return [
    `# Retirement Outlook for ${o.name ?? "the investor"}`,
    "_Computed from the portfolio by the Monte Carlo model; all amounts are in today's dollars._",
    ...(o.goals_set ? [] : ["> No retirement goals are set: this outlook uses defaults."]),
    ...defaultsLines(o),
    "## Retirement Outlook",
    [headline(o), ...horizonNote(o)].join(" "),
    "## Projected Savings",
    savingsLines(o).join(" "),
    ...(o.verdict === "no_target" ? [] : ["## Income in Retirement", incomeLines(o).join(" ")]),
    "## What It Takes",
    gapLines(o).join(" "),
    "## Risks",
    riskLines(o).join("\n"),
    "## Action Plan",
    planLines(o, actions).join("\n"),
    "## Assumptions",
    `${o.paths.toLocaleString("en-US")} paths, seed ${o.seed}; real (after-inflation) yearly returns, rebalanced yearly.`,
    assumptionsTable(market, weights),
  ].join("\n\n");
}

/** The report's Retirement Readiness bullets, from the same outlook. */
export function retirementReadinessLines(o: RetirementOutlook): string[] {
  if (!o.goals_set)
    return ["- No retirement goals are set, so readiness is shown with defaults in the retirement outlook."];
  const lines = [`- ${headline(o)}`];
  if (o.situation === "saving" && !o.empty) {
    lines.push(`- Median value at ${o.retirement_age}: ${usd(o.money.value_at_retirement.p50)} in today's dollars.`);
  }
  if (o.verdict !== "covered_by_income" && o.what_it_takes && !o.what_it_takes.reached) {
    lines.push(...whatItTakesLines(o).map((line) => `- ${line}`));
  }
  return lines;
}
