import {
  type AgentInputItem,
  type AgentOutputItem,
  type FunctionCallItem,
  type FunctionCallResultItem,
  type Model,
  ModelBehaviorError,
  type ModelRequest,
  type ModelResponse,
  type SerializedOutputType,
  type StreamEvent,
  Usage,
  withGenerationSpan,
} from "@openai/agents-core";

/** One tool call already made in this run, with what the tool returned. */
export interface OfflineToolResult {
  callId: string;
  name: string;
  /** The parsed JSON arguments the call was made with. */
  arguments: unknown;
  /** The tool's output as text ("" while it has not answered). */
  output: string;
}

/** Everything the offline model sees on one model call, already normalised for policies. */
export interface OfflineTurn {
  /** The request input as items (a plain string input becomes one user message). */
  input: AgentInputItem[];
  /** The text of every user message in the input, joined by blank lines. */
  userText: string;
  systemInstructions?: string;
  /** Names of the tools the agent offers on this call. */
  tools: string[];
  /** "text", or the JSON schema the final answer must match. */
  outputType: "text" | { schema: Record<string, unknown> };
  /** All tool calls made so far in this run, in order, with their results. */
  toolResults: OfflineToolResult[];
  /** 1-based index of this model call (previous model responses in the input + 1). */
  turn: number;
}

export interface OfflineToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/**
 * What the offline model answers: tool calls for the runner to execute, or the final answer.
 * For structured output `final` is the JSON text (an object is JSON-stringified); the runner validates it.
 */
export type OfflineStep = { toolCalls: OfflineToolCall[] } | { final: string | Record<string, unknown> };

/** An agent's deterministic offline behaviour: decides each step from the agent's real inputs. */
export type OfflinePolicy = (turn: OfflineTurn) => OfflineStep | Promise<OfflineStep>;

/**
 * The `offline` model: a deterministic analyst implementing the Agents SDK `Model` interface.
 * The runner loop stays real — tool calls are executed by the SDK, structured output is validated
 * by the runner — only the decisions come from the agent's {@link OfflinePolicy}, without network.
 */
export class OfflineModel implements Model {
  constructor(
    private readonly policy: OfflinePolicy,
    private readonly agent = "agent",
  ) {}

  /** Traced like the SDK's own models: one generation span per call (input and output only when the run allows data). */
  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    return withGenerationSpan(
      async (span) => {
        const turn = toOfflineTurn(request);
        if (request.tracing === true) span.spanData.input = turn.input as Record<string, unknown>[];
        const output = this.toOutput(await this.policy(turn), turn);
        const usage = estimateUsage(request, output);
        if (request.tracing === true) span.spanData.output = output as Record<string, unknown>[];
        span.spanData.usage = { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens };
        return { responseId: `offline-${turn.turn}`, usage, output, providerData: { offline: true } };
      },
      { data: { model: "offline", model_config: { agent: this.agent } } },
    );
  }

  getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    return streamOfResponse(() => this.getResponse(request), "offline");
  }

  private toOutput(step: OfflineStep, turn: OfflineTurn): AgentOutputItem[] {
    if ("final" in step) return [assistantMessage(step.final)];
    if (step.toolCalls.length === 0) {
      throw new ModelBehaviorError(`Offline policy for ${this.agent} returned no tool calls and no final answer.`);
    }
    return step.toolCalls.map((call, index) => this.functionCall(call, `offline_call_${turn.turn}_${index + 1}`, turn));
  }

  private functionCall(call: OfflineToolCall, callId: string, turn: OfflineTurn): FunctionCallItem {
    if (!turn.tools.includes(call.name)) {
      const offered = turn.tools.length ? turn.tools.join(", ") : "no tools";
      throw new ModelBehaviorError(
        `Offline policy for ${this.agent} called tool "${call.name}", but the agent offers ${offered}.`,
      );
    }
    return {
      type: "function_call",
      callId,
      name: call.name,
      arguments: JSON.stringify(call.arguments),
      status: "completed",
    };
  }
}

/** Normalises a model request into the view an {@link OfflinePolicy} works with. */
function toOfflineTurn(request: ModelRequest): OfflineTurn {
  const input = normaliseInput(request.input);
  return {
    input,
    userText: userText(input),
    systemInstructions: request.systemInstructions,
    tools: offeredToolNames(request),
    outputType: offlineOutputType(request.outputType),
    toolResults: toolResults(input),
    turn: previousModelResponses(input) + 1,
  };
}

function normaliseInput(input: ModelRequest["input"]): AgentInputItem[] {
  return typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
}

function userText(input: AgentInputItem[]): string {
  return input
    .filter((item) => "role" in item && item.role === "user")
    .map((item) => textOf((item as { content: unknown }).content))
    .filter((text) => text !== "")
    .join("\n\n");
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) {
    const part = content as { type?: string; text?: unknown } | undefined;
    return typeof part?.text === "string" ? part.text : "";
  }
  return content
    .map(textOf)
    .filter((text) => text !== "")
    .join("\n");
}

function offeredToolNames(request: ModelRequest): string[] {
  return [...request.tools.map((tool) => tool.name), ...request.handoffs.map((handoff) => handoff.toolName)];
}

function offlineOutputType(outputType: SerializedOutputType): OfflineTurn["outputType"] {
  return outputType === "text" ? "text" : { schema: outputType.schema as Record<string, unknown> };
}

function toolResults(input: AgentInputItem[]): OfflineToolResult[] {
  const outputs = new Map(
    input
      .filter((item): item is FunctionCallResultItem => item.type === "function_call_result")
      .map((item) => [item.callId, textOf(item.output)]),
  );
  return input
    .filter((item): item is FunctionCallItem => item.type === "function_call")
    .map((call) => ({
      callId: call.callId,
      name: call.name,
      arguments: parseArguments(call.arguments),
      output: outputs.get(call.callId) ?? "",
    }));
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Counts earlier model responses: each run of consecutive model-produced items is one response. */
function previousModelResponses(input: AgentInputItem[]): number {
  let responses = 0;
  let insideResponse = false;
  for (const item of input) {
    const fromModel = isModelProduced(item);
    if (fromModel && !insideResponse) responses += 1;
    insideResponse = fromModel;
  }
  return responses;
}

function isModelProduced(item: AgentInputItem): boolean {
  if (item.type === "function_call" || item.type === "reasoning") return true;
  return "role" in item && item.role === "assistant";
}

function assistantMessage(final: string | Record<string, unknown>): AgentOutputItem {
  const text = typeof final === "string" ? final : JSON.stringify(final);
  return { type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text }] };
}

/**
 * Usage of an offline call. The token counts are an ESTIMATE (≈ characters / 4 of the instructions
 * and input, and of the output), never zero, so summaries and budgets behave as with a real model.
 */
function estimateUsage(request: ModelRequest, output: AgentOutputItem[]): Usage {
  const inputTokens = estimateTokens((request.systemInstructions ?? "") + JSON.stringify(request.input));
  const outputTokens = estimateTokens(JSON.stringify(output));
  return new Usage({ requests: 1, inputTokens, outputTokens, totalTokens: inputTokens + outputTokens });
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** A whole response as the SDK's stream events (started, then done), for models that answer in one piece. */
export async function* streamOfResponse(
  respond: () => Promise<ModelResponse>,
  fallbackId: string,
): AsyncIterable<StreamEvent> {
  const response = await respond();
  yield { type: "response_started" };
  yield {
    type: "response_done",
    response: {
      id: response.responseId ?? fallbackId,
      usage: { ...response.usage, requestUsageEntries: undefined },
      output: response.output,
    },
  } as StreamEvent;
}
