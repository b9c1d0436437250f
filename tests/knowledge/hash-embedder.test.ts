import { beforeAll, describe, expect, it } from "vitest";
import { loadBundledCorpus } from "../../lib/knowledge/documents.js";
import { HashEmbedder, stem, tokenize } from "../../lib/knowledge/hash-embedder.js";
import { KnowledgeBase } from "../../lib/knowledge/knowledge-base.js";
import { InMemoryStore } from "./support.js";

const norm = (v: number[]) => Math.hypot(...v);

describe("HashEmbedder", () => {
  const embedder = new HashEmbedder();

  it("is deterministic, 384-dimensional and unit length", async () => {
    const [a, b, empty] = await embedder.embed(["Gold and GLD", "Gold and GLD", ""]);
    expect(embedder.name).toBe("hash-v1");
    expect(a).toHaveLength(384);
    expect(a).toEqual(b);
    expect(norm(a)).toBeCloseTo(1, 10);
    expect(empty.every((x) => x === 0)).toBe(true);
  });

  it("ignores case, accents and stopwords", async () => {
    const [a, b] = await embedder.embed(["The Café of the Bonds", "cafe bonds"]);
    expect(a).toEqual(b);
  });

  it("keeps S&P and 401(k) whole and stems plurals and -ing", () => {
    expect(tokenize("S&P 500 and a 401(k)")).toEqual(["s&p", "500", "401k"]);
    expect(["bonds", "rebalancing", "rebalance", "treasuries"].map(stem)).toEqual([
      "bond",
      "rebalanc",
      "rebalanc",
      "treasury",
    ]);
    expect(stem("vxus")).toBe("vxus");
  });

  it("puts similar texts closer than unrelated ones", async () => {
    const [query, near, far] = await embedder.embed([
      "bond duration",
      "duration of a bond fund",
      "gold bullion vaults",
    ]);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(dot(query, near)).toBeGreaterThan(dot(query, far));
  });
});

describe("HashEmbedder on the bundled corpus", () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    kb = new KnowledgeBase({ embedder: new HashEmbedder(), store: new InMemoryStore() });
    await kb.ingest(await loadBundledCorpus());
  });

  it.each([
    ["gold GLD", "corpus/gold-commodities.md"],
    ["BND bond duration", "corpus/us-aggregate-bonds-duration.md"],
    ["QQQ tech concentration", "corpus/nasdaq-100-tech-concentration.md"],
    ["IWM small caps", "corpus/small-caps-and-styles.md"],
    ["emerging markets VWO", "corpus/international-stocks.md"],
    ["TLT treasuries", "corpus/treasuries.md"],
    ["HYG high yield", "corpus/high-yield-bonds.md"],
    ["VNQ real estate", "corpus/reits.md"],
    ["AOR 60/40 balanced", "corpus/balanced-allocation-funds.md"],
    ["rebalancing", "corpus/diversification-rebalancing.md"],
    ["4% rule withdrawal", "corpus/sequence-risk-4-percent-rule.md"],
    ["inflation", "corpus/inflation.md"],
    ["Roth IRA 401(k) HSA", "corpus/tax-advantaged-accounts.md"],
    ["SPY S&P 500", "corpus/us-large-cap-sp500.md"],
  ])("ranks the right note first for %j", async (query, source) => {
    const [top] = await kb.search(query, 1);
    expect(top.metadata.source).toBe(source);
  });
});
