import type { Db } from "../db/driver.js";
import { importPortfolio } from "../db/repositories/import-portfolio.js";
import { tagUserInstrument, upsertInstrument } from "../db/repositories/instruments.js";
import { recordPrices } from "../db/repositories/prices.js";
import { type PortfolioFile, parsePortfolioFile } from "../portfolio/portfolio-file.js";
import { EXPENSE_RATIOS } from "./expense-ratios.js";
import { SEED_INSTRUMENTS, SEED_PRICES_AS_OF } from "./instruments.js";

export const DEMO_USER_ID = "demo_user";

/**
 * The original's test user (3 accounts, cash 5000/1000/2500, SPY 100, QQQ 50, BND 200, VEA 150, GLD 25)
 * plus one holding of an instrument with a name and a price but no allocations, for the tagger; with a plan a saver
 * of that size could reach: $15,000 a year saved, $60,000 a year wanted from 65, Social Security from 67.
 */
export const DEMO_PORTFOLIO: PortfolioFile = parsePortfolioFile(
  {
    user: {
      id: DEMO_USER_ID,
      display_name: "Demo Investor",
      current_age: 40,
      years_until_retirement: 25,
      target_retirement_income: 60000,
      annual_contribution: 15000,
    },
    retirement: {
      income: [{ name: "Social Security", annual_amount: 24000, start_age: 67, inflation_linked: true }],
      withdrawal_tax_rate: 0.12,
    },
    accounts: [
      {
        name: "401(k)",
        type: "401k",
        purpose: "Primary retirement savings",
        cash_balance: 5000,
        cash_interest: 0.045,
        positions: [
          { symbol: "SPY", quantity: 100 },
          { symbol: "QQQ", quantity: 50 },
          { symbol: "BND", quantity: 200 },
          { symbol: "VEA", quantity: 150 },
          { symbol: "GLD", quantity: 25 },
        ],
      },
      {
        name: "Roth IRA",
        type: "roth_ira",
        purpose: "Tax-free retirement savings",
        cash_balance: 1000,
        cash_interest: 0.04,
        positions: [
          {
            symbol: "VTI",
            quantity: 30,
            name: "Vanguard Total Stock Market ETF",
            price: 245.1,
            instrument_type: "etf",
          },
        ],
      },
      {
        name: "Taxable Brokerage",
        type: "taxable",
        purpose: "General investment account",
        cash_balance: 2500,
        cash_interest: 0.035,
      },
    ],
  },
  "demo portfolio",
);

/**
 * Upserts the 22 reference instruments and records their seed prices in the history (a newer market
 * price stays current); returns how many.
 */
export async function seedInstruments(db: Db): Promise<number> {
  await db.transaction(async (tx) => {
    for (const instrument of SEED_INSTRUMENTS) {
      await upsertInstrument(tx, { ...instrument, expense_ratio: EXPENSE_RATIOS[instrument.symbol] ?? null });
    }
    const closes = SEED_INSTRUMENTS.flatMap((i) =>
      i.current_price ? [{ symbol: i.symbol, close: i.current_price }] : [],
    );
    await recordPrices(tx, "seed", SEED_PRICES_AS_OF, closes);
  });
  return SEED_INSTRUMENTS.length;
}

/** The demo's holding without allocations: reset on every seed so each demo run exercises the tagger. */
const DEMO_UNTAGGED_SYMBOL = "VTI";

/**
 * Reference instruments plus the demo user, as new: the demo's accounts are replaced and its
 * own untagged instrument loses the allocations an earlier run gave it. Safe to run again.
 */
export async function seedDemo(db: Db): Promise<string> {
  await seedInstruments(db);
  const userId = await importPortfolio(db, DEMO_PORTFOLIO);
  await tagUserInstrument(db, userId, DEMO_UNTAGGED_SYMBOL, {
    instrument_type: null,
    allocation_asset_class: {},
    allocation_regions: {},
    allocation_sectors: {},
  });
  return userId;
}
