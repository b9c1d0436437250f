import { MAX_MONEY, type PortfolioFile, PortfolioFileError, userIdOf } from "../../portfolio/portfolio-file.js";
import { type Db, P } from "../driver.js";
import { deleteAccountsOfUser } from "./accounts.js";
import { upsertUser } from "./users.js";

type Position = PortfolioFile["accounts"][number]["positions"][number];

/** What the file says about one symbol, across all its positions (a later position's value wins). */
interface StatedHolding {
  symbol: string;
  name: string | null;
  instrument_type: string | null;
  price: number | null;
  /** The file names, types or prices it (else a shared instrument needs no row of the user's own). */
  states: boolean;
}

function statedHoldings(positions: Position[]): StatedHolding[] {
  const bySymbol = new Map<string, StatedHolding>();
  for (const p of positions) {
    const before = bySymbol.get(p.symbol);
    bySymbol.set(p.symbol, {
      symbol: p.symbol,
      name: p.name ?? before?.name ?? null,
      instrument_type: p.instrument_type ?? before?.instrument_type ?? null,
      price: p.price ?? before?.price ?? null,
      states:
        Boolean(before?.states) || p.name !== undefined || p.price !== undefined || p.instrument_type !== undefined,
    });
  }
  return [...bySymbol.values()];
}

/**
 * Writes a validated file in one transaction of six statements (plus BEGIN/COMMIT), whatever its size: the user's profile,
 * and their accounts replaced by the file's. A symbol of the shared reference data keeps its trusted name,
 * price and tagging. Whatever the file says about a holding (name, type, price) is stored for this user
 * only: it names and values an instrument the reference data does not know, for this user, and is never
 * seen by anyone else.
 */
export async function importPortfolio(db: Db, file: PortfolioFile): Promise<string> {
  const userId = userIdOf(file);
  const positions = file.accounts.flatMap((a) => a.positions);
  await db.transaction(async (tx) => {
    await upsertUser(tx, { clerk_user_id: userId, ...file.user, retirement_plan: file.retirement ?? null });
    await deleteAccountsOfUser(tx, userId);
    await tx.query(
      `DELETE FROM user_instruments WHERE clerk_user_id = :user_id
         AND symbol NOT IN (SELECT jsonb_array_elements_text(:symbols::jsonb))`,
      { user_id: userId, symbols: P.json(positions.map((p) => p.symbol)) },
    );
    await upsertUserInstruments(tx, userId, statedHoldings(positions));
    await insertAccounts(tx, userId, file.accounts);
    await refuseBeyondMoney(tx, userId);
  });
  return userId;
}

/**
 * At the prices the analysis will use (a shared instrument's, else the user's own), the portfolio must stay
 * within {@link MAX_MONEY}; else the import is refused and rolled back, naming the figure.
 */
async function refuseBeyondMoney(db: Db, userId: string): Promise<void> {
  const { rows } = await db.query<{ total: number | null }>(
    `SELECT (SELECT COALESCE(SUM(cash_balance), 0) FROM accounts WHERE clerk_user_id = :user_id)
          + (SELECT COALESCE(SUM(p.quantity * COALESCE(i.current_price, ui.price, 0)), 0)
             FROM positions p JOIN accounts a ON a.id = p.account_id
             LEFT JOIN instruments i ON i.symbol = p.symbol
             LEFT JOIN user_instruments ui ON ui.clerk_user_id = a.clerk_user_id AND ui.symbol = p.symbol
             WHERE a.clerk_user_id = :user_id) AS total`,
    { user_id: userId },
  );
  const total = Number(rows[0]?.total ?? 0);
  if (total > MAX_MONEY)
    throw new PortfolioFileError(
      `The portfolio is worth $${total.toExponential(3)} at current prices; amounts above $${MAX_MONEY.toLocaleString("en-US")} are not held exactly. Nothing was imported.`,
    );
}

/** A new name means a different instrument to classify: its old tagging no longer applies. */
const RENAMED = "(h.name IS NOT NULL AND h.name <> u.name)";
const keepUnlessRenamed = (column: string) => `${column} = CASE WHEN ${RENAMED} THEN '{}' ELSE u.${column} END`;

/**
 * One statement for all holdings: the user's own row for each symbol the reference data lacks, or that the
 * file names, types or prices. A price given again replaces theirs (dated today); a missing one keeps it.
 * Tagging stays unless the name changed.
 */
async function upsertUserInstruments(db: Db, userId: string, holdings: StatedHolding[]): Promise<void> {
  if (holdings.length === 0) return;
  await db.query(
    `WITH h AS (
       SELECT * FROM jsonb_to_recordset(:holdings::jsonb)
         AS h(symbol VARCHAR(20), name VARCHAR(255), instrument_type VARCHAR(50), price NUMERIC, states BOOLEAN)
       WHERE h.states OR NOT EXISTS (SELECT 1 FROM instruments i WHERE i.symbol = h.symbol)
     ),
     updated AS (
       UPDATE user_instruments u SET name = COALESCE(h.name, u.name),
         instrument_type = COALESCE(h.instrument_type, u.instrument_type),
         price = COALESCE(h.price, u.price),
         price_as_of = CASE WHEN h.price IS NULL THEN u.price_as_of ELSE CURRENT_DATE END,
         ${keepUnlessRenamed("allocation_asset_class")}, ${keepUnlessRenamed("allocation_regions")},
         ${keepUnlessRenamed("allocation_sectors")}
       FROM h WHERE u.clerk_user_id = :user_id AND u.symbol = h.symbol
       RETURNING u.symbol
     )
     INSERT INTO user_instruments (clerk_user_id, symbol, name, instrument_type, price, price_as_of)
     SELECT :user_id, h.symbol, COALESCE(h.name, h.symbol), h.instrument_type, h.price,
            CASE WHEN h.price IS NULL THEN NULL ELSE CURRENT_DATE END
     FROM h WHERE h.symbol NOT IN (SELECT symbol FROM updated)
     ON CONFLICT (clerk_user_id, symbol) DO NOTHING`,
    { user_id: userId, holdings: P.json(holdings) },
  );
}

/** Inserts every account and its positions in one statement (account ids made in SQL, joined by index). */
async function insertAccounts(db: Db, userId: string, accounts: PortfolioFile["accounts"]): Promise<void> {
  if (accounts.length === 0) return;
  await db.query(
    `WITH acc AS MATERIALIZED (
       SELECT gen_random_uuid() AS id, a.* FROM jsonb_to_recordset(:accounts::jsonb)
         AS a(idx INTEGER, name TEXT, type TEXT, purpose TEXT, cash_balance NUMERIC, cash_interest NUMERIC)
     ),
     inserted AS (
       INSERT INTO accounts (id, clerk_user_id, account_name, account_type, account_purpose, cash_balance, cash_interest)
       SELECT id, :user_id, name, type, purpose, cash_balance, cash_interest FROM acc ORDER BY idx
       RETURNING id
     )
     INSERT INTO positions (account_id, symbol, quantity)
     SELECT acc.id, p.symbol, p.quantity
     FROM jsonb_to_recordset(:positions::jsonb) AS p(account INTEGER, symbol VARCHAR(20), quantity NUMERIC)
     JOIN acc ON acc.idx = p.account`,
    {
      user_id: userId,
      accounts: P.json(
        accounts.map((a, idx) => ({
          idx,
          name: a.name,
          type: a.type,
          purpose: a.purpose ?? null,
          cash_balance: a.cash_balance ?? 0,
          cash_interest: a.cash_interest ?? 0,
        })),
      ),
      positions: P.json(
        accounts.flatMap((a, account) => a.positions.map((p) => ({ account, symbol: p.symbol, quantity: p.quantity }))),
      ),
    },
  );
}
