import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planAnalysis } from "../../lib/agents/planner.js";
import { writeReport } from "../../lib/agents/reporter.js";
import { projectRetirement } from "../../lib/agents/retirement.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { getJob } from "../../lib/db/repositories/jobs.js";
import { markdownText } from "../../lib/format.js";
import { renderMarkdown } from "../../lib/output/markdown.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { seedDemo } from "../../lib/seed/demo.js";
import { offlineDeps, runningJob } from "../support/agents.js";
import { testDb } from "../support/db.js";

const HOSTILE = {
  user: "Sam [click](http://evil.example/x)\n# Owned",
  account: "IRA </script><script>alert(1)</script>",
  purpose: "`rm -rf` **now** | col",
  instrument: "Evil ![img](http://evil.example/i.png) Fund\n## Heading",
};

describe("user text in the report is data: no live links, headings, HTML or code from a portfolio file", () => {
  let db: PgliteDb;
  let html: string;
  let content: string;
  let outlook: string;
  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    await importPortfolio(
      db,
      parsePortfolioFile({
        user: { id: "hostile", display_name: HOSTILE.user, years_until_retirement: 20 },
        accounts: [
          {
            name: HOSTILE.account,
            type: "roth_ira",
            purpose: HOSTILE.purpose,
            cash_balance: 100,
            positions: [
              { symbol: "SPY", quantity: 2 },
              { symbol: "EVLX", quantity: 3, name: HOSTILE.instrument, price: 10 },
            ],
          },
        ],
      }),
    );
    const deps = await offlineDeps(db);
    const jobId = await runningJob(db, "hostile");
    await planAnalysis(deps, jobId);
    await writeReport(deps, jobId);
    content = ((await getJob(db, jobId))?.report_payload as { content: string }).content;
    html = renderMarkdown(content);
    await projectRetirement(deps, jobId);
    outlook = ((await getJob(db, jobId))?.retirement_payload as { analysis: string }).analysis;
  });
  afterAll(() => db.close());

  it("quotes each name inertly in report.md", () => {
    expect(content).toContain(markdownText(HOSTILE.user));
    expect(content).toContain(markdownText(HOSTILE.account));
    expect(content).not.toContain("[click](http://evil.example/x)");
    expect(content).not.toMatch(/^# Owned/m);
    expect(content).not.toMatch(/^## Heading/m);
  });

  it("renders no link, image, injected heading, script or code span in the HTML", () => {
    expect(html).not.toContain("<a ");
    expect(html).not.toContain("<img");
    expect(html).not.toMatch(/<h\d>(Owned|Heading)/);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("</script>");
    expect(html).not.toContain("<code>");
    expect(html).toContain("Sam [click](http://evil.example/x) # Owned");
  });

  it("keeps the retirement outlook's quotes of user text inert too", () => {
    expect(outlook).toContain(markdownText(HOSTILE.user));
    const outlookHtml = renderMarkdown(outlook);
    expect(outlookHtml).not.toContain("<a ");
    expect(outlookHtml).not.toMatch(/<h\d>Owned/);
  });

  it("markdownText makes one inert line of any text", () => {
    expect(markdownText("a\n# b")).toBe("a \\# b");
    expect(markdownText("[x](http://e.example)")).toBe("\\[x\\](http:\\/\\/e.example)");
    expect(markdownText("`code` <b> www.e.example")).toBe("\\`code\\` \\<b\\> www\\.e.example");
  });
});
