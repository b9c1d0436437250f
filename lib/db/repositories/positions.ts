import { type Db, P } from "../driver.js";

/** Sets the quantity of a symbol in an account (replaces, as the original's upsert did). */
export async function upsertPosition(db: Db, accountId: string, symbol: string, quantity: number): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO positions (account_id, symbol, quantity)
     VALUES (:account_id::uuid, :symbol, :quantity::numeric)
     ON CONFLICT (account_id, symbol) DO UPDATE SET
       quantity = EXCLUDED.quantity, as_of_date = CURRENT_DATE
     RETURNING id`,
    { account_id: P.uuid(accountId), symbol, quantity: P.decimal(quantity) },
  );
  return rows[0].id;
}
