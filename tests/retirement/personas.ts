import type { Instrument, Portfolio, User } from "../../lib/portfolio/types.js";

const fund = (
  symbol: string,
  price: number | null,
  classes: Instrument["allocation_asset_class"],
  extra: Partial<Instrument> = {},
): Instrument => ({
  symbol,
  name: symbol,
  instrument_type: "etf",
  current_price: price,
  allocation_asset_class: classes,
  allocation_regions: { north_america: 100 },
  allocation_sectors: {},
  ...extra,
});

export const SPY = fund("SPY", 500, { equity: 100 }, { expense_ratio: 0.000945 });
export const AGG = fund("AGG", 100, { fixed_income: 100 }, { expense_ratio: 0.0003 });
/** In the published table, but added without a ratio (as the tagger adds instruments). */
export const VTI = fund("VTI", 250, { equity: 100 });
export const UNKNOWN_FUND = fund("ZZFND", 50, { equity: 60, fixed_income: 40 }, { instrument_type: "mutual_fund" });
export const AAPL = fund("AAPL", 200, { equity: 100 }, { instrument_type: "stock" });
export const UNPRICED = fund("NOPRC", null, {}, { instrument_type: "stock" });

type Holding = [Instrument, number];

/** A one- or two-account portfolio: `deferred` in a 401(k), `taxable` in a brokerage account. */
export function persona(
  user: Partial<User>,
  { deferred = [] as Holding[], taxable = [] as Holding[], cash = 0 } = {},
): Portfolio {
  const positions = (holdings: Holding[]) =>
    holdings.map(([instrument, quantity]) => ({ symbol: instrument.symbol, quantity, instrument }));
  return {
    user: {
      clerk_user_id: "persona",
      display_name: "Sam",
      current_age: 40,
      years_until_retirement: 25,
      target_retirement_income: 60_000,
      annual_contribution: 10_000,
      ...user,
    },
    accounts: [
      {
        id: "k",
        name: "401(k)",
        type: "401k",
        purpose: null,
        cash_balance: 0,
        cash_interest: 0,
        positions: positions(deferred),
      },
      {
        id: "t",
        name: "Brokerage",
        type: "taxable",
        purpose: null,
        cash_balance: cash,
        cash_interest: 0.04,
        positions: positions(taxable),
      },
    ],
  };
}

const SS = (amount: number, start = 67) => ({ name: "Social Security", annual_amount: amount, start_age: start });

export const PERSONAS: Record<string, Portfolio> = {
  saver: persona(
    {},
    {
      deferred: [
        [SPY, 300],
        [AGG, 500],
      ],
    },
  ),
  "off-track saver, no contributions": persona(
    { annual_contribution: 0, target_retirement_income: 80_000 },
    { taxable: [[SPY, 40]] },
  ),
  "near-retiree with a Social Security bridge and a pension": persona(
    {
      current_age: 60,
      years_until_retirement: 2,
      target_retirement_income: 70_000,
      annual_contribution: 20_000,
      retirement_plan: {
        income: [
          SS(30_000, 67),
          { name: "Acme pension", annual_amount: 12_000, start_age: 62, inflation_linked: false },
        ],
        withdrawal_tax_rate: 0.12,
      },
    },
    {
      deferred: [
        [SPY, 1_200],
        [AGG, 3_000],
      ],
    },
  ),
  "retiree 65": persona(
    {
      current_age: 65,
      years_until_retirement: 0,
      target_retirement_income: 50_000,
      annual_contribution: 0,
      retirement_plan: { income: [SS(20_000, 65)] },
    },
    {
      deferred: [
        [SPY, 1_000],
        [AGG, 4_000],
      ],
    },
  ),
  "retiree 75 at very low success": persona(
    { current_age: 75, years_until_retirement: 0, target_retirement_income: 90_000, annual_contribution: 0 },
    {
      taxable: [
        [SPY, 300],
        [AGG, 500],
      ],
    },
  ),
  "retiree 85": persona(
    { current_age: 85, years_until_retirement: 0, target_retirement_income: 40_000, annual_contribution: 0 },
    { taxable: [[AGG, 800]], cash: 40_000 },
  ),
  "all cash": persona({ current_age: 50, years_until_retirement: 15 }, { cash: 150_000 }),
  "single stock": persona({ current_age: 45, years_until_retirement: 20 }, { taxable: [[AAPL, 1_500]] }),
  "unknown fund and VTI": persona(
    {},
    {
      taxable: [
        [UNKNOWN_FUND, 2_000],
        [VTI, 400],
      ],
    },
  ),
  "only unpriced holdings": persona({ annual_contribution: 0 }, { taxable: [[UNPRICED, 300]] }),
  empty: persona({ annual_contribution: 0 }),
};
