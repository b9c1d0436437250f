import { Resource } from "sst/resource";
import * as z from "zod";
import { loadConfig } from "../lib/config.js";
import { type DataApiDb, dataApiDbFromConfig } from "../lib/db/data-api.js";
import type { FunctionDbRole } from "../lib/db/roles.js";
import type { LinkName } from "../lib/infra/functions.js";

/**
 * What each SST link carries at runtime (`Resource.<Link>.<property>`), and the environment variable
 * of `lib/config.ts` it stands for. The Aurora links are narrowed to the Data API's three values, so no
 * password reaches a function: `Database` (the `alex_app` role), `DatabasePrices` (the `alex_prices` role,
 * refresh prices only) and `DatabaseAdmin` (the master user, migrate only). The only secret is the
 * market-data key, linked to the one function that uses it and never logged.
 */
export const LINK_PROPERTIES = {
  Database: { clusterArn: "AURORA_CLUSTER_ARN", secretArn: "AURORA_SECRET_ARN", database: "AURORA_DATABASE" },
  DatabasePrices: { clusterArn: "AURORA_CLUSTER_ARN", secretArn: "AURORA_SECRET_ARN", database: "AURORA_DATABASE" },
  DatabaseAdmin: {
    clusterArn: "AURORA_CLUSTER_ARN",
    secretArn: "AURORA_SECRET_ARN",
    database: "AURORA_DATABASE",
    appSecretArn: "AURORA_APP_SECRET_ARN",
    pricesSecretArn: "AURORA_PRICES_SECRET_ARN",
  },
  KnowledgeBase: {
    embeddingEndpoint: "SAGEMAKER_ENDPOINT",
    vectorBucket: "VECTOR_BUCKET",
    vectorIndex: "VECTOR_INDEX",
  },
  PolygonApiKey: { value: "POLYGON_API_KEY" },
} as const satisfies Record<LinkName, Record<string, string>>;

const text = z.string().min(1);
const DataApiLink = z.object({ clusterArn: text, secretArn: text, database: text });
const LINK_SCHEMAS = {
  Database: DataApiLink,
  DatabasePrices: DataApiLink,
  DatabaseAdmin: DataApiLink.extend({ appSecretArn: text, pricesSecretArn: text }),
  KnowledgeBase: z.object({ embeddingEndpoint: text, vectorBucket: text, vectorIndex: text }),
  // The sst.Secret's value ("" until `sst secret set PolygonApiKey …`: then prices are not refreshed).
  PolygonApiKey: z.object({ value: z.string() }),
} satisfies Record<LinkName, z.ZodType>;

/** The links that each connect to Aurora as one database user. */
const DATABASE_LINKS = ["Database", "DatabasePrices", "DatabaseAdmin"] as const satisfies readonly LinkName[];

/**
 * The config environment variables filled from the links present in `resources` (SST's `Resource`
 * proxy, or a plain object in tests). A link that is present but malformed is an error.
 */
export function linkedEnvironment(resources: object): Record<string, string> {
  const databaseLinks = DATABASE_LINKS.filter((link) => link in resources);
  if (databaseLinks.length > 1)
    throw new Error(`A function links one database role, not ${databaseLinks.map((l) => `"${l}"`).join(" and ")}`);
  const env: Record<string, string> = {};
  for (const link of Object.keys(LINK_PROPERTIES) as LinkName[]) {
    if (!(link in resources)) continue;
    const parsed = LINK_SCHEMAS[link].safeParse((resources as Record<string, unknown>)[link]);
    if (!parsed.success)
      throw new Error(
        `Link "${link}" is malformed: ${link === "PolygonApiKey" ? "value is not a string" : z.prettifyError(parsed.error)}`,
      );
    const names: Record<string, string> = LINK_PROPERTIES[link];
    for (const [property, value] of Object.entries(parsed.data)) env[names[property]] = value;
  }
  return env;
}

/** The Lambda's configuration: its environment plus what its links carry. */
export function linkedConfig(resources: object = Resource, env: Record<string, string | undefined> = process.env) {
  return loadConfig({ ...env, ...linkedEnvironment(resources) });
}

/** Aurora through the Data API, as the database user of the function's one database link. */
export function openLinkedDb(resources: object = Resource): DataApiDb {
  const config = linkedConfig(resources);
  if (!config.db.clusterArn || !config.db.secretArn)
    throw new Error('The database link is missing: link "Database" (or "DatabasePrices") to this function');
  return dataApiDbFromConfig(config);
}

/** Each function role's secret, from the `DatabaseAdmin` link (migrate only). */
export function linkedRoleSecretArns(resources: object = Resource): Record<FunctionDbRole, string> {
  const env = linkedEnvironment(resources);
  if (!env.AURORA_APP_SECRET_ARN || !env.AURORA_PRICES_SECRET_ARN)
    throw new Error('The "DatabaseAdmin" link is missing: link it to the migrate function');
  return { alex_app: env.AURORA_APP_SECRET_ARN, alex_prices: env.AURORA_PRICES_SECRET_ARN };
}
