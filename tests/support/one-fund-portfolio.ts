import type { Portfolio } from "../../lib/portfolio/types.js";

/**
 * A saver of 50 with one account: $500 cash and 100 VTI at $100 ($10,500 in all, VTI 95.24% of it) and a $60,000
 * retirement target. A fresh object on every call, so a test may change it.
 */
export const oneFundPortfolio = (clerkUserId = "u"): Portfolio => ({
  user: {
    clerk_user_id: clerkUserId,
    display_name: null,
    current_age: 50,
    years_until_retirement: 15,
    target_retirement_income: 60_000,
    annual_contribution: null,
  },
  accounts: [
    {
      id: "a1",
      name: "Brokerage",
      type: "taxable",
      purpose: null,
      cash_balance: 500,
      cash_interest: 0,
      positions: [
        {
          symbol: "VTI",
          quantity: 100,
          instrument: {
            symbol: "VTI",
            name: "Vanguard Total Stock Market ETF",
            instrument_type: "etf",
            current_price: 100,
            allocation_asset_class: { equity: 100 },
            allocation_regions: { north_america: 100 },
            allocation_sectors: { technology: 100 },
          },
        },
      ],
    },
  ],
});
