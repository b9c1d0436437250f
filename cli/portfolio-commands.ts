import { migrate } from "../lib/db/migrate.js";
import { importPortfolio } from "../lib/db/repositories/import-portfolio.js";
import { loadPortfolio } from "../lib/db/repositories/portfolios.js";
import { readPortfolioFile } from "../lib/portfolio/portfolio-file.js";
import { valuationJson, valuePortfolio } from "../lib/portfolio/valuation.js";
import { seedDemo } from "../lib/seed/demo.js";
import { SEED_INSTRUMENTS } from "../lib/seed/instruments.js";
import { withCliDb } from "./cli-db.js";
import type { CommandArgs } from "./command.js";
import { formatValuation, print, printJson, progress, UsageError } from "./io.js";

/** `alex portfolio --portfolio FILE`: validate, import, value. A bad file writes nothing. */
export async function portfolioCommand(args: CommandArgs): Promise<number> {
  const path = args.values.portfolio as string | undefined;
  if (!path) throw new UsageError("--portfolio FILE is required");
  const file = await readPortfolioFile(path);
  return withCliDb(args, async (db) => {
    const userId = await importPortfolio(db, file);
    const portfolio = await loadPortfolio(db, userId);
    const valuation = valuePortfolio(portfolio!);
    if (args.values.json) printJson({ portfolio: valuationJson(valuation) });
    else print(formatValuation(valuation));
    progress(`Imported ${file.accounts.length} account(s) for user ${userId}.`);
    return 0;
  });
}

export async function seedCommand(args: CommandArgs): Promise<number> {
  return withCliDb(args, async (db) => {
    const userId = await seedDemo(db);
    progress(`Seeded ${SEED_INSTRUMENTS.length} instruments and the demo user "${userId}".`);
    return 0;
  });
}

export async function migrateCommand(args: CommandArgs): Promise<number> {
  return withCliDb(args, async (db) => {
    const applied = await migrate(db);
    progress(applied.length ? `Applied migrations: ${applied.join(", ")}` : "Database is up to date.");
    return 0;
  });
}
