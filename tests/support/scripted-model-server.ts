/**
 * A scripted tool-calling model behind the OpenAI chat completions API on 127.0.0.1, for the eval set and
 * tests: it calls the tools it is offered like a model that follows instructions (every `run_*` tool of
 * the planner, five charts from the charter's data block), answers structured output with JSON built from
 * the schema, and writes the report's sections when asked for them. It never sees the real numbers, so
 * the quality gate and the fact-check judge what it writes. Counts every request it receives.
 *   tsx tests/support/scripted-model-server.ts [port]   → ALEX_MODEL=openai-compatible:scripted OPENAI_BASE_URL=http://127.0.0.1:<port>/v1
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { REQUIRED_REPORT_SECTIONS } from "../../lib/pipeline/quality-gate.js";

type Json = Record<string, any>;

const PALETTE = ["#3B82F6", "#10B981", "#F59E0B", "#EF4444", "#8B5CF6"];
const CHARTS = ["asset_allocation", "top_holdings", "sector_breakdown", "geographic_exposure", "account_types"];
const SECTIONS = [...REQUIRED_REPORT_SECTIONS, "Market Context"];

/** The answer to one chat completions request. */
export function scriptedAnswer(request: Json, index: number): Json {
  const messages: Json[] = request.messages ?? [];
  const tools: string[] = (request.tools ?? []).map((t: Json) => t.function?.name);
  const lastUser = messages.map((m) => m.role).lastIndexOf("user");
  const toolResultsSinceUser = messages.slice(lastUser + 1).some((m) => m.role === "tool");
  const userText = messages
    .filter((m) => m.role === "user")
    .map((m) => text(m.content))
    .join("\n");
  if (tools.length > 0 && !toolResultsSinceUser) {
    const planner = tools.filter((name) => name.startsWith("run_"));
    if (planner.length > 0)
      return toolCalls(
        index,
        planner.map((name) => [name, { reason: "The portfolio calls for it." }]),
      );
    if (tools.includes("create_chart"))
      return toolCalls(
        index,
        CHARTS.map((key, i) => ["create_chart", chart(key, i)]),
      );
  }
  const schema = request.response_format?.json_schema?.schema;
  if (schema) return message(JSON.stringify(sample(schema, "")));
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => text(m.content))
    .join("\n");
  if (system.includes("## Executive Summary")) return message(report(userText));
  return message("Your plan: the portfolio is projected with a 75% chance of success, with $40,000 a year of income.");
}

const text = (content: unknown) =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((c) => c.text ?? "").join("") : "";

function message(content: string): Json {
  return { role: "assistant", content };
}

function toolCalls(index: number, calls: [string, Json][]): Json {
  return {
    role: "assistant",
    content: null,
    tool_calls: calls.map(([name, args], i) => ({
      id: `call_${index}_${i}`,
      type: "function",
      function: { name, arguments: JSON.stringify(args) },
    })),
  };
}

function chart(key: string, i: number): Json {
  return {
    key,
    title: key.replaceAll("_", " "),
    type: i % 2 === 0 ? "pie" : "bar",
    description: "Drawn by the scripted model.",
    data: [
      { name: "Equity", value: 60, color: PALETTE[i % PALETTE.length] },
      { name: "Bonds", value: 40, color: PALETTE[(i + 1) % PALETTE.length] },
    ],
  };
}

function report(userText: string): string {
  const symbols = [...new Set(userText.match(/\b[A-Z]{2,5}\b/g) ?? [])].slice(0, 3).join(", ") || "your holdings";
  return SECTIONS.map(
    (s) =>
      `## ${s}\n- ${s === "Executive Summary" ? `You hold ${symbols}.` : "Worth about 60% equity and $10,000 in bonds."}`,
  ).join("\n\n");
}

/** A value that satisfies a JSON schema's shape (enums take their first value; scores 85). */
export function sample(schema: Json, name: string): unknown {
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.anyOf) return sample(schema.anyOf[0], name);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== "null") : schema.type;
  switch (type) {
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, sample(value as Json, key)]),
      );
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, name));
    case "integer":
    case "number":
      return name === "score" ? 85 : (schema.minimum ?? 0);
    case "boolean":
      return false;
    default:
      return "n/a";
  }
}

/** Starts the server; `requests` counts what it received. */
export async function startScriptedModel(port = 0): Promise<{ url: string; requests: Json[]; server: Server }> {
  const requests: Json[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    requests.push(body);
    const answer = scriptedAnswer(body, requests.length);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: "chat.completion",
        created: 0,
        model: body.model ?? "scripted",
        choices: [{ index: 0, message: answer, finish_reason: answer.tool_calls ? "tool_calls" : "stop" }],
        usage: { prompt_tokens: 500, completion_tokens: 50, total_tokens: 550 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { url, requests } = await startScriptedModel(Number(process.argv[2] ?? 0));
  process.stderr.write(`scripted model on ${url}/v1\n`);
  process.on("SIGTERM", () => {
    process.stderr.write(`scripted model: ${requests.length} requests\n`);
    process.exit(0);
  });
}
