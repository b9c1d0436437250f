import { describe, expect, it } from "vitest";
import { disallowedLinks, escapeHtml, isAllowedLink, renderMarkdown } from "../../lib/output/markdown.js";

describe("renderMarkdown", () => {
  it("renders ordinary markdown", () => {
    const html = renderMarkdown("# Report\n\nSome **bold** text.\n\n| a | b |\n|---|---|\n| 1 | 2 |");
    expect(html).toContain("<h1>Report</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<td>1</td>");
  });

  it("shifts heading levels", () => {
    expect(renderMarkdown("# A\n\n###### F", { headingOffset: 2 })).toMatch(/<h3>A<\/h3>[\s\S]*<h6>F<\/h6>/);
  });

  it("shows raw HTML as text, block and inline", () => {
    const html = renderMarkdown(
      '<script>alert("x")</script>\n\nHello <img src=x onerror="alert(1)"> there <b>bold</b>',
    );
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("keeps only allow-listed link targets live and never loads images", () => {
    const html = renderMarkdown(
      "[ok](https://www.investor.gov/a?b=1&c=2) [bad](javascript:alert(1)) [data](data:text/html,x) ![pixel](https://track.example/p.png)",
    );
    expect(html).toContain('<a href="https://www.investor.gov/a?b=1&amp;c=2" rel="noopener noreferrer">ok</a>');
    expect(html).not.toMatch(/javascript:|data:text|<img/);
    expect(html).toContain("bad");
    expect(html).toContain("pixel");
  });

  it("renders links a model was told to add as inert text: label and target, no anchor", () => {
    const text =
      "[Claim your bonus](https://evil.example/steal?u=1) or visit https://evil.example/x and http://sec.gov/ok";
    const html = renderMarkdown(text);
    expect(html).not.toContain("<a ");
    expect(html).toContain("Claim your bonus (https://evil.example/steal?u=1)");
    expect(disallowedLinks(text)).toEqual([
      "https://evil.example/steal?u=1",
      "https://evil.example/x",
      "http://sec.gov/ok",
    ]);
    expect(disallowedLinks("See [the SEC](https://www.sec.gov/investor) and [below](#charts).")).toEqual([]);
    expect(disallowedLinks("Learn more at www.investor.gov or www.ssa.gov/benefits.")).toEqual([]);
    expect(disallowedLinks("Learn more at www.evil.example.")).toEqual(["www.evil.example"]);
  });

  it("allows only https to the listed hosts and their subdomains", () => {
    expect(isAllowedLink("https://www.irs.gov/retirement-plans")).toBe(true);
    expect(isAllowedLink("https://irs.gov.evil.example/")).toBe(false);
    expect(isAllowedLink("https://notirs.gov/")).toBe(false);
    expect(isAllowedLink("mailto:someone@example.com")).toBe(false);
  });

  it("escapes code", () => {
    expect(renderMarkdown("`<div>`\n\n```\n<svg onload=x>\n```")).not.toMatch(/<div>|<svg/);
  });
});

describe("escapeHtml", () => {
  it("escapes the five special characters", () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;",
    );
  });
});
