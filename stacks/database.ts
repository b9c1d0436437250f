import { resolve } from "node:path";
import { APP_DB_ROLE, type FunctionDbRole, PRICES_DB_ROLE } from "../lib/db/roles.js";
import { migrationsHash } from "../lib/infra/migrations-hash.js";
import { databaseAdminGrants, databaseGrants } from "../lib/infra/permissions.js";

export const MIGRATIONS_SOURCE = "lib/db/migrations";

/**
 * Aurora PostgreSQL Serverless v2 (0–4 ACU, pauses when idle) reached over the RDS Data API, so no
 * function needs the VPC. Three links, never a password itself:
 * - `Database`: the functions, as the `alex_app` role through its own secret (DML only);
 * - `DatabasePrices`: the price refresh, as the `alex_prices` role through its own secret (instruments'
 *   prices and the price history only: it cannot read users' tables);
 * - `DatabaseAdmin`: `migrate` alone, as the master user, plus the role secrets it sets the roles' passwords from.
 */
export function database() {
  const vpc = new sst.aws.Vpc("Vpc");
  // Named for what it is: "Database" is the functions' link (the app role), and SST names must be unique.
  const aurora = new sst.aws.Aurora("DatabaseCluster", {
    engine: "postgres",
    database: "alex",
    dataApi: true,
    vpc,
    scaling: { min: "0 ACU", max: "4 ACU" },
  });
  const { secret: appSecret, value: appSecretValue } = roleSecret(
    "DatabaseAppSecret",
    APP_DB_ROLE,
    "DML only",
    "the functions use",
  );
  const { secret: pricesSecret, value: pricesSecretValue } = roleSecret(
    "DatabasePricesSecret",
    PRICES_DB_ROLE,
    "instrument prices and their history only",
    "the price refresh uses",
  );
  const roleLink = (name: string, secret: aws.secretsmanager.Secret) =>
    new sst.Linkable(name, {
      properties: { clusterArn: aurora.clusterArn, secretArn: secret.arn, database: aurora.database },
      include: databaseGrants({ clusterArn: aurora.clusterArn, secretArn: secret.arn }).map((g) =>
        sst.aws.permission(g),
      ),
    });
  const app = roleLink("Database", appSecret);
  const prices = roleLink("DatabasePrices", pricesSecret);
  const admin = new sst.Linkable("DatabaseAdmin", {
    properties: {
      clusterArn: aurora.clusterArn,
      secretArn: aurora.secretArn,
      database: aurora.database,
      appSecretArn: appSecret.arn,
      pricesSecretArn: pricesSecret.arn,
    },
    include: databaseAdminGrants({
      clusterArn: aurora.clusterArn,
      secretArn: aurora.secretArn,
      appSecretArn: appSecret.arn,
      pricesSecretArn: pricesSecret.arn,
    }).map((g) => sst.aws.permission(g)),
  });
  return { aurora, app, prices, admin, appSecret, appSecretValue, pricesSecret, pricesSecretValue };
}

/**
 * A function role's credentials in their own secret, in the shape the Data API reads
 * (`{username, password}`). The password is generated once (later deployments keep it); `migrate`
 * sets it on the role.
 */
function roleSecret(name: string, role: FunctionDbRole, scope: string, user: string) {
  const secret = new aws.secretsmanager.Secret(name, {
    description: `Credentials of the ${role} database role (${scope}) that ${user}`,
    recoveryWindowInDays: $app.removal === "remove" ? 0 : 30,
  });
  const password = aws.secretsmanager.getRandomPasswordOutput({ passwordLength: 40, excludePunctuation: true });
  const value = new aws.secretsmanager.SecretVersion(
    `${name}Value`,
    { secretId: secret.id, secretString: $jsonStringify({ username: role, password: password.randomPassword }) },
    { ignoreChanges: ["secretString"] },
  );
  return { secret, value };
}

/**
 * Runs the migrate function during the deployment whenever the migration files or the cluster
 * change; a failed migration fails `sst deploy`.
 */
export function runMigrations(db: ReturnType<typeof database>, migrate: sst.aws.Function) {
  return new aws.lambda.Invocation(
    "MigrateDatabaseRun",
    {
      functionName: migrate.name,
      input: JSON.stringify({ trigger: "deploy" }),
      triggers: {
        migrations: migrationsHash(resolve(MIGRATIONS_SOURCE)),
        cluster: db.aurora.clusterArn,
        appSecret: db.appSecret.arn,
        pricesSecret: db.pricesSecret.arn,
      },
    },
    // The role secrets must hold their passwords before migrate sets them on the roles.
    { dependsOn: [db.aurora, db.appSecretValue, db.pricesSecretValue] },
  );
}
