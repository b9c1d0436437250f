import type { Account, Instrument, Portfolio, Position, User } from "../../portfolio/types.js";
import { type Db, P, type SqlParams } from "../driver.js";
import { readInPages } from "./documents.js";

/** A column a LEFT JOIN leaves null where it found no row. */
type Nullable<T> = { [K in keyof T]-?: Exclude<T[K], undefined> | null };

/**
 * One row of {@link PORTFOLIO_COLUMNS}, typed from the shapes it maps to: the user's columns, the account's
 * (`account_`-prefixed, and its cash), the position's and its instrument's (the name as `instrument_name`);
 * all but the user's id null where the joins found nothing.
 */
type PortfolioRow = Pick<User, "clerk_user_id"> &
  Nullable<Omit<User, "clerk_user_id">> &
  Nullable<Pick<Account, "cash_balance" | "cash_interest">> &
  Nullable<{
    account_id: Account["id"];
    account_name: Account["name"];
    account_type: Account["type"];
    account_purpose: Account["purpose"];
  }> &
  Nullable<Pick<Position, "symbol" | "quantity"> & Omit<Instrument, "symbol" | "name">> & {
    instrument_name: string | null;
  };

const PORTFOLIO_COLUMNS = `u.clerk_user_id, u.display_name, u.current_age, u.years_until_retirement,
            u.target_retirement_income, u.annual_contribution, u.retirement_plan,
            a.id AS account_id, a.account_name, a.account_type, a.account_purpose, a.cash_balance, a.cash_interest,
            p.symbol, p.quantity,
            COALESCE(i.name, ui.name) AS instrument_name,
            COALESCE(i.instrument_type, ui.instrument_type) AS instrument_type,
            CASE WHEN i.current_price IS NOT NULL THEN i.current_price ELSE ui.price END AS current_price,
            CASE WHEN i.current_price IS NOT NULL THEN i.price_as_of ELSE ui.price_as_of END AS price_as_of,
            CASE WHEN i.current_price IS NOT NULL THEN i.price_source
                 WHEN ui.price IS NOT NULL THEN 'user' END AS price_source,
            (i.current_price IS NOT NULL AND i.price_as_of < m.latest) AS price_stale,
            CASE WHEN i.symbol IS NOT NULL THEN i.allocation_asset_class ELSE ui.allocation_asset_class END
              AS allocation_asset_class,
            CASE WHEN i.symbol IS NOT NULL THEN i.allocation_regions ELSE ui.allocation_regions END AS allocation_regions,
            CASE WHEN i.symbol IS NOT NULL THEN i.allocation_sectors ELSE ui.allocation_sectors END AS allocation_sectors,
            i.expense_ratio`;

const PORTFOLIO_JOINS = `LEFT JOIN accounts a ON a.clerk_user_id = u.clerk_user_id
     LEFT JOIN positions p ON p.account_id = a.id
     LEFT JOIN instruments i ON i.symbol = p.symbol
     LEFT JOIN user_instruments ui ON ui.clerk_user_id = u.clerk_user_id AND ui.symbol = p.symbol
     CROSS JOIN (SELECT MAX(as_of) AS latest FROM prices WHERE source = 'market') m`;

const PORTFOLIO_ORDER = "a.created_at, a.account_name, a.id, p.symbol";

/** The names of {@link PORTFOLIO_COLUMNS}, in order. */
const PORTFOLIO_ROW_COLUMNS: (keyof PortfolioRow)[] = [
  "clerk_user_id",
  "display_name",
  "current_age",
  "years_until_retirement",
  "target_retirement_income",
  "annual_contribution",
  "retirement_plan",
  "account_id",
  "account_name",
  "account_type",
  "account_purpose",
  "cash_balance",
  "cash_interest",
  "symbol",
  "quantity",
  "instrument_name",
  "instrument_type",
  "current_price",
  "price_as_of",
  "price_source",
  "price_stale",
  "allocation_asset_class",
  "allocation_regions",
  "allocation_sectors",
  "expense_ratio",
];

/** Columns sent once (on the first row, or an account's first row) rather than repeated on every position's row. */
const USER_ONLY_ONCE = [
  "job_owner",
  "clerk_user_id",
  "display_name",
  "current_age",
  "years_until_retirement",
  "target_retirement_income",
  "annual_contribution",
  "retirement_plan",
];
const ACCOUNT_ONLY_ONCE = [
  "account_id",
  "account_name",
  "account_type",
  "account_purpose",
  "cash_balance",
  "cash_interest",
];

/** Bytes of rows one statement returns at most (the Data API answers with at most 1 MiB). */
const PORTFOLIO_PAGE_BYTES = 900 * 1024;

/**
 * The portfolio rows `source` selects (`FROM … WHERE …`, and the job's owner when asked), one per position
 * (or per account without positions), in order. Each row travels as one JSON array (values only, the user's
 * and each account's own columns once), about 300 bytes a position: one statement up to ~3,000 positions, one
 * more per further ~0.9 MB — no response passes the Data API's 1 MiB, no row its 64 KB. The values decode as
 * the drivers decode the columns (numbers, JSON, dates as text).
 */
async function portfolioRows<T extends PortfolioRow>(
  db: Db,
  source: string,
  params: SqlParams,
  withJobOwner = false,
): Promise<T[]> {
  const columns = [...(withJobOwner ? ["job_owner"] : []), ...PORTFOLIO_ROW_COLUMNS];
  const values = columns.map((column) =>
    USER_ONLY_ONCE.includes(column)
      ? `CASE WHEN n = 1 THEN ${column} END`
      : ACCOUNT_ONLY_ONCE.includes(column)
        ? `CASE WHEN in_account = 1 THEN ${column} END`
        : column,
  );
  const rows = await readInPages<{ r: string }>(db, {
    rowsSql: `SELECT n, json_build_array(${values.join(", ")})::text AS r FROM (
      SELECT ${withJobOwner ? "j.clerk_user_id AS job_owner," : ""} ${PORTFOLIO_COLUMNS},
             row_number() OVER (ORDER BY ${PORTFOLIO_ORDER}) AS n,
             row_number() OVER (PARTITION BY a.id ORDER BY p.symbol) AS in_account
      ${source}) AS rows`,
    orderBy: "n",
    params,
    framingBytes: 60,
    budgetBytes: PORTFOLIO_PAGE_BYTES,
    rowBytesSql: "octet_length(to_json(r)::text)",
  });
  let account: unknown = null;
  return rows.map(({ r }) => {
    const values = JSON.parse(r) as unknown[];
    const row = Object.fromEntries(columns.map((column, i) => [column, values[i]])) as T;
    // Rows come in account order, the account's id on its first row only.
    if (row.account_id !== null) account = row.account_id;
    return { ...row, account_id: account } as T;
  });
}

/**
 * The user, their accounts, positions and instruments, in one statement up to ~1,500 positions (see
 * `portfolioRows`). A shared instrument's trusted name, price and tagging win; for the others the user's own
 * statement is used (price source `user`). A trusted price older than the newest market day is marked stale.
 */
export async function loadPortfolio(db: Db, clerkUserId: string): Promise<Portfolio | undefined> {
  const rows = await portfolioRows<PortfolioRow>(
    db,
    `FROM users u ${PORTFOLIO_JOINS} WHERE u.clerk_user_id = :user_id`,
    { user_id: clerkUserId },
  );
  if (rows.length === 0) return undefined;
  return { user: userOf(rows[0]), accounts: accountsOf(rows) };
}

/**
 * `loadPortfolio` of a job's owner, found from the job in the same statement. Undefined when no such job;
 * `portfolio` undefined when its owner is not a user (any more).
 */
export async function loadJobPortfolio(
  db: Db,
  jobId: string,
): Promise<{ clerk_user_id: string; portfolio: Portfolio | undefined } | undefined> {
  const rows = await portfolioRows<PortfolioRow & { job_owner: string }>(
    db,
    `FROM jobs j LEFT JOIN users u ON u.clerk_user_id = j.clerk_user_id ${PORTFOLIO_JOINS} WHERE j.id = :job_id::uuid`,
    { job_id: P.uuid(jobId) },
    true,
  );
  if (rows.length === 0) return undefined;
  const owner = rows[0].job_owner;
  if (rows[0].clerk_user_id === null) return { clerk_user_id: owner, portfolio: undefined };
  return { clerk_user_id: owner, portfolio: { user: userOf(rows[0]), accounts: accountsOf(rows) } };
}

function userOf(row: PortfolioRow): User {
  return {
    clerk_user_id: row.clerk_user_id,
    display_name: row.display_name,
    current_age: row.current_age,
    years_until_retirement: row.years_until_retirement,
    target_retirement_income: row.target_retirement_income,
    annual_contribution: row.annual_contribution,
    ...(row.retirement_plan ? { retirement_plan: row.retirement_plan } : {}),
  };
}

function accountsOf(rows: PortfolioRow[]): Account[] {
  const accounts = new Map<string, Account>();
  for (const row of rows) {
    if (!row.account_id) continue;
    let account = accounts.get(row.account_id);
    if (!account) {
      account = {
        id: row.account_id,
        name: row.account_name ?? "",
        type: row.account_type ?? "other",
        purpose: row.account_purpose,
        cash_balance: row.cash_balance ?? 0,
        cash_interest: row.cash_interest ?? 0,
        positions: [],
      };
      accounts.set(row.account_id, account);
    }
    if (row.symbol) {
      account.positions.push({
        symbol: row.symbol,
        quantity: row.quantity ?? 0,
        instrument: {
          symbol: row.symbol,
          name: row.instrument_name ?? row.symbol,
          instrument_type: row.instrument_type,
          current_price: row.current_price,
          allocation_asset_class: row.allocation_asset_class ?? {},
          allocation_regions: row.allocation_regions ?? {},
          allocation_sectors: row.allocation_sectors ?? {},
          ...(row.expense_ratio === null ? {} : { expense_ratio: row.expense_ratio }),
          price_as_of: row.price_as_of,
          price_source: row.price_source,
          price_stale: row.price_stale ?? false,
        },
      });
    }
  }
  return [...accounts.values()];
}
