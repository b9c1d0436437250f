import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as z from "zod";
import { APP_DB_ROLE } from "./roles.js";

const AppRoleSecret = z.object({ username: z.literal(APP_DB_ROLE), password: z.string().min(16) });

/** The application role's password from its Secrets Manager secret (`{username: "alex_app", password}`). */
export async function readAppRolePassword(
  secretArn: string,
  region: string,
  client = new SecretsManagerClient({ region }),
): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const parsed = AppRoleSecret.safeParse(JSON.parse(SecretString ?? "null"));
  if (!parsed.success)
    throw new Error(`The app role secret ${secretArn} must be {"username": "${APP_DB_ROLE}", "password": "…"}`);
  return parsed.data.password;
}
