import { type FunctionToolResult, type RunContext, type ToolToFinalOutputFunction, tool } from "@openai/agents-core";
import { z } from "zod";
import { describeIssues } from "../validation.js";

/** The typed context of a tool call; the runner always passes it, the SDK's type leaves it optional. */
export function contextOf<TContext>(runContext: RunContext<TContext> | undefined): TContext {
  if (!runContext) throw new Error("Tool called without a run context");
  return runContext.context;
}

/** What a model sees when a tool call fails: the tool's name and the error's message. */
export function toolErrorMessage(toolName: string) {
  return (_context: unknown, error: unknown): string =>
    `${toolName} failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * For an agent whose work is its tool calls: the run ends after a turn whose every call `succeeded` (judged by
 * the tool's output), so the model is not asked for a closing text nobody reads. A turn with a failed or refused
 * call goes back to the model, which sees the errors and can correct them.
 */
export function stopWhenToolsSucceed(succeeded: (output: string) => boolean): ToolToFinalOutputFunction {
  return (_context, results: FunctionToolResult[]) => {
    const outputs = results.map((r) => (r.type === "function_output" ? String(r.output) : undefined));
    if (outputs.length === 0 || !outputs.every((o) => o !== undefined && succeeded(o))) {
      return { isFinalOutput: false, isInterrupted: undefined };
    }
    return { isFinalOutput: true, isInterrupted: undefined, finalOutput: outputs.join("\n") };
  };
}

/** The strict JSON schema of a zod object: every object closed (`additionalProperties: false`). */
function strictJsonSchema(schema: z.ZodObject): Record<string, unknown> {
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (typeof node !== "object" || node === null) return node;
    const entries = Object.entries(node)
      .filter(([key]) => key !== "$schema")
      .map(([key, value]) => [key, close(value)]);
    const result = Object.fromEntries(entries) as Record<string, unknown>;
    if (result.type === "object") result.additionalProperties = false;
    return result;
  };
  return close(z.toJSONSchema(schema, { target: "draft-7" })) as Record<string, unknown>;
}

/**
 * A tool whose arguments are validated by our own zod schema, so an invalid call gets back every issue
 * with its path (e.g. `data[0].color: must be a hex colour #RRGGBB`) and can correct itself. With a zod
 * `parameters` the SDK answers only "Invalid JSON input for tool" while tool data is redacted (its default).
 */
export function validatedTool<Schema extends z.ZodObject, Context>(options: {
  name: string;
  description: string;
  parameters: Schema;
  execute: (args: z.infer<Schema>, context: Context) => Promise<string>;
  /** Told about each refused call (its raw arguments and the problem), e.g. to ask the model again. */
  onInvalid?: (context: Context, raw: unknown, problem: string) => void;
}) {
  return tool({
    name: options.name,
    description: options.description,
    parameters: strictJsonSchema(options.parameters) as never,
    strict: true,
    async execute(raw: unknown, runContext?: RunContext<Context>) {
      const parsed = options.parameters.safeParse(raw);
      if (!parsed.success) {
        const problem = describeIssues(parsed.error.issues, "(arguments)");
        options.onInvalid?.(contextOf(runContext), raw, problem);
        return `${options.name} rejected the arguments: ${problem}`;
      }
      return options.execute(parsed.data, contextOf(runContext));
    },
    errorFunction: toolErrorMessage(options.name),
  });
}
