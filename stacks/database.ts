import { resolve } from "node:path";
import { APP_DB_ROLE } from "../lib/db/roles.js";
import { migrationsHash } from "../lib/infra/migrations-hash.js";
import { databaseAdminGrants, databaseGrants } from "../lib/infra/permissions.js";

export const MIGRATIONS_SOURCE = "lib/db/migrations";

/**
 * Aurora PostgreSQL Serverless v2 (0–4 ACU, pauses when idle) reached over the RDS Data API, so no
 * function needs the VPC. Two links, never the password itself:
 * - `Database`: the functions, as the `alex_app` role through its own secret (DML only);
 * - `DatabaseAdmin`: `migrate` alone, as the master user, plus the app secret it sets the role's password from.
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
  const { secret: appSecret, value: appSecretValue } = appRoleSecret();
  const app = new sst.Linkable("Database", {
    properties: { clusterArn: aurora.clusterArn, secretArn: appSecret.arn, database: aurora.database },
    include: databaseGrants({ clusterArn: aurora.clusterArn, secretArn: appSecret.arn }).map((g) =>
      sst.aws.permission(g),
    ),
  });
  const admin = new sst.Linkable("DatabaseAdmin", {
    properties: {
      clusterArn: aurora.clusterArn,
      secretArn: aurora.secretArn,
      database: aurora.database,
      appSecretArn: appSecret.arn,
    },
    include: databaseAdminGrants({
      clusterArn: aurora.clusterArn,
      secretArn: aurora.secretArn,
      appSecretArn: appSecret.arn,
    }).map((g) => sst.aws.permission(g)),
  });
  return { aurora, app, admin, appSecret, appSecretValue };
}

/**
 * The `alex_app` role's credentials in their own secret, in the shape the Data API reads
 * (`{username, password}`). The password is generated once (later deployments keep it); `migrate`
 * sets it on the role.
 */
function appRoleSecret() {
  const secret = new aws.secretsmanager.Secret("DatabaseAppSecret", {
    description: `Credentials of the ${APP_DB_ROLE} database role (DML only) that the functions use`,
    recoveryWindowInDays: $app.removal === "remove" ? 0 : 30,
  });
  const password = aws.secretsmanager.getRandomPasswordOutput({ passwordLength: 40, excludePunctuation: true });
  const value = new aws.secretsmanager.SecretVersion(
    "DatabaseAppSecretValue",
    { secretId: secret.id, secretString: $jsonStringify({ username: APP_DB_ROLE, password: password.randomPassword }) },
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
      },
    },
    // The app secret must hold its password before migrate sets it on the role.
    { dependsOn: [db.aurora, db.appSecretValue] },
  );
}
