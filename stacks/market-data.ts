import { physicalName } from "../lib/infra/names.js";
import { policyDocument, priceRefreshScheduleGrants, trustPolicy } from "../lib/infra/permissions.js";

/** Early morning in New York, Tuesday to Saturday: each run finds the previous weekday's closes final. */
export const PRICE_REFRESH_SCHEDULE = "cron(0 6 ? * TUE-SAT *)";

/**
 * The Polygon key, as an SST secret (`sst secret set PolygonApiKey <key> --stage <stage>`). Its
 * placeholder is empty: a stage without a key deploys and keeps its last known (seed) prices.
 */
export function polygonApiKey() {
  return new sst.Secret("PolygonApiKey", "");
}

/**
 * EventBridge Scheduler runs the refresh function once a day, so most jobs find fresh prices and skip
 * their own refresh. Its role may invoke that one function and nothing else.
 */
export function dailyPriceRefresh(args: { fn: { arn: $util.Input<string> }; account: $util.Input<string> }) {
  const role = new aws.iam.Role("PriceRefreshScheduleRole", {
    assumeRolePolicy: $resolve([args.account]).apply(([id]) => trustPolicy("scheduler.amazonaws.com", id)),
  });
  const policy = new aws.iam.RolePolicy("PriceRefreshSchedulePolicy", {
    role: role.id,
    policy: $resolve([args.fn.arn]).apply(([arn]) => policyDocument(priceRefreshScheduleGrants(arn))),
  });
  return new aws.scheduler.Schedule(
    "PriceRefreshDaily",
    {
      name: physicalName([$app.name, $app.stage, "price-refresh"], 64),
      scheduleExpression: PRICE_REFRESH_SCHEDULE,
      scheduleExpressionTimezone: "America/New_York",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: args.fn.arn,
        roleArn: role.arn,
        input: JSON.stringify({ source: "schedule" }),
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    },
    { dependsOn: [policy] },
  );
}
