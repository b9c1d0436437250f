import type { User } from "../../portfolio/types.js";
import { type Db, P } from "../driver.js";

/** A user's profile to store: their id, and whichever of the other fields are known. */
export type UserInput = Pick<User, "clerk_user_id"> & Partial<Omit<User, "clerk_user_id">>;

const USER_COLUMNS = `clerk_user_id, display_name, current_age, years_until_retirement,
  target_retirement_income, annual_contribution`;

/** Creates the user, or updates the profile of an existing one. */
export async function upsertUser(db: Db, user: UserInput): Promise<User> {
  const { rows } = await db.query<User & Record<string, unknown>>(
    `INSERT INTO users (${USER_COLUMNS}, retirement_plan)
     VALUES (:clerk_user_id, :display_name, :current_age, :years_until_retirement,
             :target_retirement_income::numeric, :annual_contribution::numeric, :retirement_plan::jsonb)
     ON CONFLICT (clerk_user_id) DO UPDATE SET
       display_name = EXCLUDED.display_name,
       current_age = EXCLUDED.current_age,
       years_until_retirement = EXCLUDED.years_until_retirement,
       target_retirement_income = EXCLUDED.target_retirement_income,
       annual_contribution = EXCLUDED.annual_contribution,
       retirement_plan = EXCLUDED.retirement_plan
     RETURNING ${USER_COLUMNS}`,
    {
      clerk_user_id: user.clerk_user_id,
      display_name: user.display_name ?? null,
      current_age: user.current_age ?? null,
      years_until_retirement: user.years_until_retirement ?? null,
      target_retirement_income: decimalOrNull(user.target_retirement_income),
      annual_contribution: decimalOrNull(user.annual_contribution),
      retirement_plan: user.retirement_plan == null ? null : P.json(user.retirement_plan),
    },
  );
  return rows[0];
}

export async function getUser(db: Db, clerkUserId: string): Promise<User | undefined> {
  const { rows } = await db.query<User & Record<string, unknown>>(
    `SELECT ${USER_COLUMNS} FROM users WHERE clerk_user_id = :id`,
    { id: clerkUserId },
  );
  return rows[0];
}

function decimalOrNull(value: number | null | undefined) {
  return value === null || value === undefined ? null : P.decimal(value);
}
