import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  type LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { z } from "zod";
import { ConfigError } from "../config.js";

/**
 * Lambda keeps this much of an account's concurrency unreserved: PutFunctionConcurrency is refused when
 * it would leave less ("Specified ReservedConcurrentExecutions for function decreases account's
 * UnreservedConcurrentExecution below its minimum value of [100]"; Lambda Developer Guide, "Configuring
 * reserved concurrency").
 */
const LAMBDA_UNRESERVED_MINIMUM = 100;

/** Service Quotas code of "Concurrent executions" (Lambda), for the error's advice. */
const CONCURRENCY_QUOTA_CODE = "L-B99A9384";

const AccountLimit = z.object({
  ConcurrentExecutions: z.number().int().nonnegative(),
  UnreservedConcurrentExecutions: z.number().int().nonnegative(),
});

/** The account's concurrency in this Region, from Lambda's GetAccountSettings. */
async function accountConcurrency(lambda: Pick<LambdaClient, "send">) {
  const settings = await lambda.send(new GetAccountSettingsCommand({}));
  const parsed = AccountLimit.safeParse(settings.AccountLimit);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") ?? "AccountLimit";
    throw new Error(`Lambda GetAccountSettings: AccountLimit.${field} is missing or not a count`);
  }
  return { limit: parsed.data.ConcurrentExecutions, unreserved: parsed.data.UnreservedConcurrentExecutions };
}

/**
 * Refuses reservations that Lambda would refuse mid-deploy: their total must leave at least
 * {@link LAMBDA_UNRESERVED_MINIMUM} of the account's limit unreserved, counting what other functions
 * already reserve. The error names the limit, what is reserved, and the two ways out.
 */
function checkReservedConcurrency(
  reserved: Readonly<Record<string, number>>,
  account: { limit: number; unreserved: number; ours?: number },
): void {
  const total = Object.values(reserved).reduce((sum, n) => sum + n, 0);
  if (total === 0) return;
  // This app's functions' current reservations are replaced by the new ones, not added to them.
  const ours = account.ours ?? 0;
  const left = account.unreserved + ours - total;
  if (left >= LAMBDA_UNRESERVED_MINIMUM) return;
  const elsewhere = account.limit - account.unreserved - ours;
  const detail = Object.entries(reserved)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
  throw new ConfigError(
    `ALEX_RESERVED_CONCURRENCY=quota would reserve ${total} concurrent executions (${detail}), leaving ${left} of ` +
      `this account's Lambda limit of ${account.limit} concurrent executions unreserved` +
      (elsewhere > 0 ? ` (other functions already reserve ${elsewhere})` : "") +
      `; Lambda requires ${LAMBDA_UNRESERVED_MINIMUM} to stay unreserved. Deploy without reservations ` +
      `(unset ALEX_RESERVED_CONCURRENCY: admission control keeps to the model quota), or ask for a higher ` +
      `"Concurrent executions" quota (Service Quotas, Lambda, ${CONCURRENCY_QUOTA_CODE}).`,
  );
}

/**
 * Concurrency the functions whose names start with `prefix` (this app and stage's, as SST names them)
 * reserve now: a redeploy replaces these reservations, so they count as unreserved for the check.
 */
async function reservedByFunctionsNamed(lambda: Pick<LambdaClient, "send">, prefix: string): Promise<number> {
  let total = 0;
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ Marker: marker }));
    for (const name of (page.Functions ?? []).map((fn) => fn.FunctionName ?? "")) {
      if (!name.startsWith(prefix)) continue;
      const concurrency = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
      total += concurrency.ReservedConcurrentExecutions ?? 0;
    }
    marker = page.NextMarker;
  } while (marker);
  return total;
}

/**
 * Reads the account's limit and checks `reserved` against it (nothing to check when nothing is reserved),
 * counting what this app's functions (named `appPrefix…`) already reserve as theirs to replace.
 */
export async function assertReservationsFit(
  reserved: Readonly<Record<string, number>>,
  lambda: Pick<LambdaClient, "send">,
  appPrefix?: string,
): Promise<void> {
  if (Object.keys(reserved).length === 0) return;
  const ours = appPrefix ? await reservedByFunctionsNamed(lambda, appPrefix) : 0;
  checkReservedConcurrency(reserved, { ...(await accountConcurrency(lambda)), ours });
}
