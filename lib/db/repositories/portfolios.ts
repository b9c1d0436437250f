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

/** {@link PORTFOLIO_COLUMNS} of each position (or of an account without positions): on every row. */
const POSITION_COLUMNS: (keyof PortfolioRow)[] = [
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

/** {@link PORTFOLIO_COLUMNS} of the account: on its first row only. */
const ACCOUNT_COLUMNS: (keyof PortfolioRow)[] = [
  "account_id",
  "account_name",
  "account_type",
  "account_purpose",
  "cash_balance",
  "cash_interest",
];

/** {@link PORTFOLIO_COLUMNS} of the user (and the job's owner, when asked): on the first row only. */
const USER_COLUMNS: (keyof PortfolioRow)[] = [
  "clerk_user_id",
  "display_name",
  "current_age",
  "years_until_retirement",
  "target_retirement_income",
  "annual_contribution",
  "retirement_plan",
];

/** DECIMAL columns: sent without their scale's trailing zeros (`10.00000000` is `10`, the same number). */
const DECIMAL_COLUMNS: readonly string[] = [
  "quantity",
  "current_price",
  "expense_ratio",
  "cash_balance",
  "cash_interest",
  "target_retirement_income",
  "annual_contribution",
];

/** JSONB columns of flat allocations: sent without the spaces PostgreSQL writes after `:` and `,`, keys in order. */
const ALLOCATION_COLUMNS: readonly string[] = ["allocation_asset_class", "allocation_regions", "allocation_sectors"];

/** SQL for a column's value as JSON text (`null` when NULL), as short as it decodes the same. */
function jsonValue(column: string): string {
  if (DECIMAL_COLUMNS.includes(column)) return `COALESCE(trim_scale(${column})::text, 'null')`;
  if (ALLOCATION_COLUMNS.includes(column))
    return `CASE WHEN ${column} IS NULL THEN 'null' ELSE (
      SELECT '{' || COALESCE(string_agg(to_json(e.key)::text || ':' || e.value::text, ',' ORDER BY e.i), '') || '}'
      FROM jsonb_each(${column}) WITH ORDINALITY AS e(key, value, i)) END`;
  return `COALESCE(to_json(${column})::text, 'null')`;
}

/** SQL for the columns' values, comma-separated JSON. */
const jsonValues = (columns: string[]) => `concat_ws(',', ${columns.map(jsonValue).join(", ")})`;

/** Bytes of rows one statement returns at most (the Data API answers with at most 1 MiB). */
const PORTFOLIO_PAGE_BYTES = 900 * 1024;

/**
 * The portfolio rows `source` selects (`FROM … WHERE …`, and the job's owner when asked), one per position
 * (or per account without positions), in order. Each row travels as one JSON array of values only: the position's,
 * then its account's on the account's first row, then the user's on the first row (decimals without trailing
 * zeros, allocations without spaces), about 340 bytes a tagged position: one statement up to ~2,400 positions, one
 * more per further ~0.9 MB — no response passes the Data API's 1 MiB, no row its 64 KB. The values decode as the
 * drivers decode the columns (numbers, JSON, dates as text).
 */
async function portfolioRows<T extends PortfolioRow>(
  db: Db,
  source: string,
  params: SqlParams,
  withJobOwner = false,
): Promise<T[]> {
  const userColumns = [...(withJobOwner ? ["job_owner"] : []), ...USER_COLUMNS];
  const rows = await readInPages<{ r: string }>(db, {
    rowsSql: `SELECT n, '[' || concat_ws(',', ${jsonValues(POSITION_COLUMNS)},
        CASE WHEN in_account = 1 OR n = 1 THEN ${jsonValues(ACCOUNT_COLUMNS)} END,
        CASE WHEN n = 1 THEN ${jsonValues(userColumns)} END) || ']' AS r
      FROM (
        SELECT ${withJobOwner ? "j.clerk_user_id AS job_owner," : ""} ${PORTFOLIO_COLUMNS},
               row_number() OVER (ORDER BY ${PORTFOLIO_ORDER}) AS n,
               row_number() OVER (PARTITION BY a.id ORDER BY p.symbol) AS in_account
        ${source}) AS rows`,
    orderBy: "n",
    columns: ["r"],
    params,
    framingBytes: 60,
    budgetBytes: PORTFOLIO_PAGE_BYTES,
    rowBytesSql: "octet_length(to_json(r)::text)",
  });
  let account: unknown = null;
  return rows.map(({ r }) => {
    const values = JSON.parse(r) as unknown[];
    const columns = [...POSITION_COLUMNS, ...ACCOUNT_COLUMNS, ...userColumns].slice(0, values.length);
    const row = Object.fromEntries(columns.map((column, i) => [column, values[i]])) as T;
    // Rows come in account order, the account's id on its first row only.
    if (row.account_id) account = row.account_id;
    return { ...row, account_id: account } as T;
  });
}

/**
 * The user, their accounts, positions and instruments, in one statement up to ~2,400 positions (see
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
