import type { MarketAssumptions } from "./assumptions.js";
import { HORIZON_AGE } from "./input.js";
import type { RetirementOutlook } from "./outlook.js";

/** `$1,235` from a whole-dollar outlook field. */
const usd = (value: number) => `$${value.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
const pct = (value: number, digits = 1) => `${value.toFixed(digits)}%`;
const years = (n: number) => `${n} year${n === 1 ? "" : "s"}`;

const VERDICT_TEXT = {
  on_track: "on track",
  close: "close, with work to do",
  off_track: "not on track yet",
} as const;

/** The headline: what share of markets pay the target, or why there is nothing to test. */
export function headline(o: RetirementOutlook): string {
  const m = o.money;
  if (o.verdict === "no_target") {
    return "No retirement income target is set, so there is no spending to test the portfolio against; the projection shows how the savings grow.";
  }
  if (o.verdict === "covered_by_income") {
    return `Social Security and pensions (${usd(m.income_at_retirement)} a year at ${o.retirement_age}) cover the whole ${usd(m.target_income)} target in every retirement year, so the portfolio is a reserve rather than the source of income.`;
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

function savingsLines(o: RetirementOutlook): string[] {
  const m = o.money;
  const v = m.value_at_retirement;
  if (o.empty)
    return [
      "Nothing is saved yet and no contributions are planned, so the portfolio cannot fund any retirement spending.",
    ];
  if (o.situation === "retired") {
    return [`Withdrawals start now, at age ${o.current_age}, from today's ${usd(m.current_value)}.`];
  }
  const adding =
    m.annual_contribution > 0
      ? `adding ${usd(m.annual_contribution)} a year${o.rates.contribution_growth === 0 ? " (kept level in today's dollars)" : `, growing ${pct(o.rates.contribution_growth)} a year above inflation,`} for ${years(o.years_to_retirement)}`
      : `with no further contributions over ${years(o.years_to_retirement)}`;
  return [
    `Starting from ${usd(m.current_value)} and ${adding}, the median value at ${o.retirement_age} is **${usd(v.p50)}** in today's dollars (10th–90th percentile ${usd(v.p10)} – ${usd(v.p90)}; ${usd(v.expected)} at the average return).`,
  ];
}

function incomeLines(o: RetirementOutlook): string[] {
  const m = o.money;
  if (o.verdict === "no_target") return [];
  const lines: string[] = [];
  if (m.first_year_withdrawal > 0 && m.value_at_retirement.p50 === 0 && m.value_at_retirement.p90 === 0) {
    lines.push(
      `With nothing saved by age ${o.retirement_age}, the portfolio cannot pay any of the ${usd(m.first_year_withdrawal)} the first retirement year needs.`,
    );
  } else if (m.first_year_withdrawal > 0) {
    const less =
      m.income_at_retirement > 0 ? ` less ${usd(m.income_at_retirement)} from Social Security and pensions` : "";
    const tax = o.rates.tax > 0 ? `, grossed up for ${pct(o.rates.tax)} tax on the tax-deferred share` : "";
    const rate =
      o.withdrawal_rate === null
        ? ""
        : ` That is ${pct(o.withdrawal_rate)} of the median value at retirement${o.withdrawal_rate > 4 ? ", above the roughly 4% that has historically lasted 30 years" : ""}.`;
    lines.push(
      `In the first retirement year (age ${o.retirement_age}) the portfolio provides ${usd(m.first_year_withdrawal)}: the ${usd(m.target_income)} target${less}${tax}.${rate}`,
    );
    if (o.income_full_age !== null && m.income_full > m.income_at_retirement) {
      lines.push(
        `From age ${o.income_full_age}, Social Security and pensions pay ${usd(m.income_full)} a year, and the withdrawals fall accordingly.`,
      );
    }
  } else if (!o.income_covers_target) {
    lines.push(
      `Social Security and pensions cover the first retirement year; the portfolio pays the rest of the ${usd(m.target_income)} target in later years.`,
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
      : [`At ${target} of simulated markets the plan supports up to ${usd(w.spending_per_year)} a year of spending.`];
  }
  if (o.situation === "retired") {
    const atTarget =
      w.spending_per_year === null
        ? `No level of spending above what income covers is paid in ${target} of markets.`
        : `Spending ${usd(w.spending_per_year)} a year instead of ${usd(o.money.target_income)} is paid in ${target} of markets.`;
    const atHalf =
      w.spending_per_year_at_50 === null ? "" : ` Half of the markets pay ${usd(w.spending_per_year_at_50)} a year.`;
    return [`${atTarget}${atHalf}`];
  }
  const levers = [
    w.contribution_per_year === null
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
  if (o.fees_unknown.length > 0)
    lines.push(
      `- No expense ratio is known for ${o.fees_unknown.join(", ")}; ${o.fees_unknown.length === 1 ? "its fees are" : "their fees are"} not modelled.`,
    );
  if (o.money.unclassified_value > 0) {
    lines.push(
      `- ${usd(o.money.unclassified_value)} is not classified by asset class and is assumed to follow the rest of the mix.`,
    );
  }
  return lines;
}

function actionLines(o: RetirementOutlook): string[] {
  const steps: string[] = [];
  if (o.empty) steps.push("This year: start regular contributions, even small ones, and keep an emergency fund.");
  else if (o.situation === "saving") {
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
        `Before retiring at ${o.retirement_age}: confirm the start dates and amounts of Social Security and pensions.`,
      );
    else
      steps.push(
        `Before retiring at ${o.retirement_age}: decide the first year's withdrawal and keep a cash buffer for it.`,
      );
  } else if (o.income_covers_target || o.verdict === "no_target") {
    steps.push(
      "Every year: confirm that Social Security and pensions still cover spending, and keep the portfolio as a reserve.",
    );
  } else {
    steps.push("Every year: review withdrawals against the portfolio's value and spend less after a bad year.");
  }
  steps.push(
    o.empty || o.all_cash
      ? "Every year: re-run this outlook as the portfolio changes."
      : "Every year: rebalance to the target mix and re-run this outlook.",
  );
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
 * retirement.md: every sentence from the outlook. `plan`: the job's ranked action plan (lib/advice), shown as the
 * Action Plan so the outlook, the report and the page list the same actions.
 */
export function renderRetirementMarkdown(
  o: RetirementOutlook,
  market: MarketAssumptions,
  weights: Record<string, number>,
  plan?: readonly string[],
): string {
  return [
    `# Retirement Outlook for ${o.name ?? "the investor"}`,
    "_Computed from the portfolio by the Monte Carlo model; all amounts are in today's dollars._",
    ...(o.goals_set
      ? []
      : [`> No retirement goals are set: this outlook uses defaults for ${o.defaults_used.join(", ")}.`]),
    "## Retirement Outlook",
    [headline(o), ...horizonNote(o)].join(" "),
    "## Projected Savings",
    savingsLines(o).join(" "),
    ...(o.verdict === "no_target" ? [] : ["## Income in Retirement", incomeLines(o).join(" ")]),
    "## Gap Analysis",
    gapLines(o).join(" "),
    "## Risks",
    riskLines(o).join("\n"),
    "## Action Plan",
    (plan ? plan.map((step, i) => `${i + 1}. ${step}`) : actionLines(o)).join("\n"),
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
