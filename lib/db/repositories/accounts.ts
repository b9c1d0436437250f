import type { Account } from "../../portfolio/types.js";
import { type Db, P } from "../driver.js";

/** An account to create for a user: its name and type, and whichever of the other fields are known. */
export type AccountInput = { clerk_user_id: string } & Pick<Account, "name" | "type"> &
  Partial<Pick<Account, "purpose" | "cash_balance" | "cash_interest">>;

export async function createAccount(db: Db, account: AccountInput): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO accounts (clerk_user_id, account_name, account_type, account_purpose, cash_balance, cash_interest)
     VALUES (:clerk_user_id, :name, :type, :purpose, :cash_balance::numeric, :cash_interest::numeric)
     RETURNING id`,
    {
      clerk_user_id: account.clerk_user_id,
      name: account.name,
      type: account.type,
      purpose: account.purpose ?? null,
      cash_balance: P.decimal(account.cash_balance ?? 0),
      cash_interest: P.decimal(account.cash_interest ?? 0),
    },
  );
  return rows[0].id;
}

/** Removes all of a user's accounts (their positions cascade); returns how many went. */
export async function deleteAccountsOfUser(db: Db, clerkUserId: string): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM accounts WHERE clerk_user_id = :id", { id: clerkUserId });
  return rowCount;
}
