import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../lib/infra/functions.js";
import { effectiveGrants, priceRefreshScheduleGrants } from "../../lib/infra/permissions.js";

const LINKS = {
  Database: { clusterArn: "arn:aws:rds:eu-west-1:123456789012:cluster:db", secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db" },
  KnowledgeBase: { endpointArn: "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/e", indexArn: "arn:aws:s3vectors:eu-west-1:123456789012:bucket/b/index/i" },
};

describe("the price refresh's permissions", () => {
  it("the refresh function gets the Data API on the one cluster and the key's link, nothing else", () => {
    expect(FUNCTIONS.refreshPrices.links).toEqual(["Database", "PolygonApiKey"]);
    expect(FUNCTIONS.refreshPrices.bedrock).toBe(false);
    const grants = effectiveGrants("refreshPrices", {
      partition: "aws", account: "123456789012", model: { provider: "bedrock", modelId: "m" }, bedrockRegion: "us-west-2", links: LINKS,
    });
    expect(grants.flatMap((g) => g.resources).sort()).toEqual([LINKS.Database.clusterArn, LINKS.Database.secretArn].sort());
    expect(new Set(grants.flatMap((g) => g.actions.map((a) => a.split(":")[0])))).toEqual(new Set(["rds-data", "secretsmanager"]));
  });

  it("the daily schedule may invoke the refresh function only", () => {
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:refresh";
    expect(priceRefreshScheduleGrants(arn)).toEqual([{ actions: ["lambda:InvokeFunction"], resources: [arn, `${arn}:*`] }]);
  });

  it("the key is an sst.Secret, linked, never put in a function's environment", () => {
    const stack = readFileSync(new URL("../../stacks/market-data.ts", import.meta.url), "utf8");
    expect(stack).toContain('new sst.Secret("PolygonApiKey", "")');
    const config = readFileSync(new URL("../../sst.config.ts", import.meta.url), "utf8");
    expect(config).toContain("PolygonApiKey: polygonApiKey()");
    expect(config).not.toMatch(/POLYGON_API_KEY/);
  });
});
