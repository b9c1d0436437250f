import type { Db } from "../driver.js";

/** Removes all of a user's accounts (their positions cascade); returns how many went. */
export async function deleteAccountsOfUser(db: Db, clerkUserId: string): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM accounts WHERE clerk_user_id = :id", { id: clerkUserId });
  return rowCount;
}
