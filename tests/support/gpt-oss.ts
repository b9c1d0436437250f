import type { FakeReply } from "./fake-bedrock.js";

// Converse replies shaped like gpt-oss on Bedrock: a reasoning block first, tool-call ids of its own form.

const usage = { inputTokens: 900, outputTokens: 120, totalTokens: 1020 };
let nextId = 0;
const toolCallId = () => `chatcmpl-tool-${(++nextId).toString(16).padStart(32, "a")}`;
const reasoning = (text: string) => ({ reasoningContent: { reasoningText: { text } } });

function reply(content: object[], stopReason: string): FakeReply {
  return {
    body: { output: { message: { role: "assistant", content } }, stopReason, usage, metrics: { latencyMs: 40 } },
  };
}

export const gptOss = {
  /** Thinks, then answers in text (where a tool call was wanted, this is "text instead of a tool call"). */
  text(text: string, thought = "The user wants an answer."): FakeReply {
    return reply([reasoning(thought), { text }], "end_turn");
  },

  /** Thinks, then calls tools; `input` is sent as given (so bad arguments stay bad). */
  toolUse(calls: { name: string; input: unknown }[], thought = "I should call the tools."): FakeReply {
    return reply(
      [reasoning(thought), ...calls.map(({ name, input }) => ({ toolUse: { toolUseId: toolCallId(), name, input } }))],
      "tool_use",
    );
  },
};

/** The tool names and tool choice of a recorded Converse request. */
export function toolConfig(body: { toolConfig?: { tools?: { toolSpec: { name: string } }[]; toolChoice?: unknown } }) {
  return { tools: body.toolConfig?.tools?.map((t) => t.toolSpec.name) ?? [], toolChoice: body.toolConfig?.toolChoice };
}
