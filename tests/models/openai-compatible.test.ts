import { Agent, run, setTracingDisabled } from "@openai/agents";
import { afterEach, expect, it } from "vitest";
import { loadConfig } from "../../lib/config.js";
import { createModel } from "../../lib/models/provider.js";
import { type FakeServer, startFakeServer } from "../support/fake-bedrock.js";

setTracingDisabled(true);

let server: FakeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function chatCompletion(text: string) {
  return {
    body: {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1_764_000_000,
      model: "gpt-oss:20b",
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
    },
  };
}

it("answers through an OpenAI-compatible chat-completions server", async () => {
  server = await startFakeServer([chatCompletion("Hello from the local model.")]);
  const config = loadConfig({
    ALEX_MODEL: "openai-compatible:gpt-oss:20b",
    OPENAI_BASE_URL: `${server.url}/v1`,
    OPENAI_API_KEY: "local-key",
  });
  const model = createModel(config, { agent: "reporter", offlinePolicy: () => ({ final: "unused" }) });

  const result = await run(new Agent({ name: "reporter", instructions: "Be brief.", model }), "Say hello");

  expect(result.finalOutput).toBe("Hello from the local model.");
  expect(result.runContext.usage.totalTokens).toBe(25);
  const [request] = server.requests;
  expect(request.path).toBe("/v1/chat/completions");
  expect(request.headers.authorization).toBe("Bearer local-key");
  expect(request.body.model).toBe("gpt-oss:20b");
  expect(request.body.messages).toEqual([
    { role: "system", content: "Be brief." },
    { role: "user", content: "Say hello" },
  ]);
});
