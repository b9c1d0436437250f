import type { PortfolioFile } from "../../portfolio/portfolio-file.js";
import { userIdOf } from "../../portfolio/portfolio-file.js";
import { type Db, P } from "../driver.js";
import { createAccount, deleteAccountsOfUser } from "./accounts.js";
import { getInstruments, upsertUserInstrument } from "./instruments.js";
import { upsertPosition } from "./positions.js";
import { upsertUser } from "./users.js";

/**
 * Writes a validated file in one transaction: the user's profile, and their accounts replaced by the
 * file's. A symbol of the shared reference data keeps its trusted name, price and tagging. Whatever the
 * file says about a holding (name, type, price) is stored for this user only: it names and values an
 * instrument the reference data does not know, for this user, and is never seen by anyone else.
 */
export async function importPortfolio(db: Db, file: PortfolioFile): Promise<string> {
  const userId = userIdOf(file);
  const positions = file.accounts.flatMap((a) => a.positions);
  await db.transaction(async (tx) => {
    await upsertUser(tx, { clerk_user_id: userId, ...file.user, retirement_plan: file.retirement ?? null });
    await deleteAccountsOfUser(tx, userId);
    const shared = new Set(
      (await getInstruments(tx, [...new Set(positions.map((p) => p.symbol))])).map((i) => i.symbol),
    );
    await tx.query(
      `DELETE FROM user_instruments WHERE clerk_user_id = :user_id
         AND symbol NOT IN (SELECT jsonb_array_elements_text(:symbols::jsonb))`,
      { user_id: userId, symbols: P.json(positions.map((p) => p.symbol)) },
    );
    for (const position of positions) {
      const statesSomething =
        position.name !== undefined || position.price !== undefined || position.instrument_type !== undefined;
      if (!shared.has(position.symbol) || statesSomething) {
        await upsertUserInstrument(tx, {
          clerk_user_id: userId,
          symbol: position.symbol,
          name: position.name,
          instrument_type: position.instrument_type,
          price: position.price,
        });
      }
    }
    for (const account of file.accounts) {
      const accountId = await createAccount(tx, { clerk_user_id: userId, ...account });
      for (const position of account.positions) await upsertPosition(tx, accountId, position.symbol, position.quantity);
    }
  });
  return userId;
}
