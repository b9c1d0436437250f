import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as z from "zod";
import { FUNCTION_DB_ROLES, type FunctionDbRole, type RolePasswords } from "./roles.js";

const RoleSecret = z.object({ username: z.string(), password: z.string().min(16) });

/** A function role's password from its Secrets Manager secret (`{username: role, password}`). */
export async function readRolePassword(
  role: FunctionDbRole,
  secretArn: string,
  region: string,
  client = new SecretsManagerClient({ region }),
): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const parsed = RoleSecret.safeParse(JSON.parse(SecretString ?? "null"));
  if (!parsed.success || parsed.data.username !== role)
    throw new Error(`The ${role} role's secret ${secretArn} must be {"username": "${role}", "password": "…"}`);
  return parsed.data.password;
}

/** Every function role's password, each from its own secret. */
export async function readRolePasswords(
  secretArns: Record<FunctionDbRole, string>,
  region: string,
  client = new SecretsManagerClient({ region }),
): Promise<RolePasswords> {
  const passwords = await Promise.all(
    FUNCTION_DB_ROLES.map((role) => readRolePassword(role, secretArns[role], region, client)),
  );
  return Object.fromEntries(FUNCTION_DB_ROLES.map((role, i) => [role, passwords[i]])) as RolePasswords;
}
