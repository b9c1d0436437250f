import { resolve } from "node:path";
import { migrationsHash } from "../lib/infra/migrations-hash.js";
import { databaseGrants } from "../lib/infra/permissions.js";

export const MIGRATIONS_SOURCE = "lib/db/migrations";

/**
 * Aurora PostgreSQL Serverless v2 (0–4 ACU, pauses when idle) reached over the RDS Data API, so no
 * function needs the VPC. Linking it gives `Resource.Database.{clusterArn, secretArn, database}`
 * and Data API access — never the master password.
 */
export function database() {
  sst.Linkable.wrap(sst.aws.Aurora, (aurora) => ({
    properties: { clusterArn: aurora.clusterArn, secretArn: aurora.secretArn, database: aurora.database },
    include: databaseGrants({ clusterArn: aurora.clusterArn, secretArn: aurora.secretArn }).map((grant) =>
      sst.aws.permission(grant),
    ),
  }));
  const vpc = new sst.aws.Vpc("Vpc");
  return new sst.aws.Aurora("Database", {
    engine: "postgres",
    database: "alex",
    dataApi: true,
    vpc,
    scaling: { min: "0 ACU", max: "4 ACU" },
  });
}

/**
 * Runs the migrate function during the deployment whenever the migration files or the cluster
 * change; a failed migration fails `sst deploy`.
 */
export function runMigrations(db: sst.aws.Aurora, migrate: sst.aws.Function) {
  return new aws.lambda.Invocation(
    "MigrateDatabaseRun",
    {
      functionName: migrate.name,
      input: JSON.stringify({ trigger: "deploy" }),
      triggers: { migrations: migrationsHash(resolve(MIGRATIONS_SOURCE)), cluster: db.clusterArn },
    },
    { dependsOn: [db] },
  );
}
