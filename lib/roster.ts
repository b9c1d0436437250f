/**
 * The agent functions, declared once. Pure data at the bottom of the layers (beside config), so every layer can
 * read it: the state machine's definition, the task and function tables (Lambda sizing), the local executor, the
 * job row's payload columns and the scale model derive from here. What only the agents know about a specialist
 * (the planner's tool and rule, the offline planner's reason) is `SPECIALIST_PLANS` in `lib/agents/specialists.ts`,
 * a `Record<SpecialistName, …>` the compiler keeps complete; its handler is `functions/<name>.ts`, bound in the
 * local executor's `SPECIALIST_TASKS`, another such record.
 */

/** A Lambda function of an agent: its handler, its SST component name (the stem of its physical name), its size. */
export interface AgentLambda {
  readonly handler: string;
  readonly resource: string;
  readonly memoryMB: number;
  readonly timeoutSeconds: number;
  /** Linked to the knowledge base (`KnowledgeBase`), with the embedder and vector store it reads through. */
  readonly knowledgeBase?: boolean;
}

/** One specialist: an agent the planner may choose, run by the "Run specialists" Map in its own function. */
export interface SpecialistRow {
  /** Its Task state inside the Map: the name a person reads in the Step Functions console. */
  readonly state: string;
  /** The column of `jobs` its output is stored in (a migration adds a new one), or null if it stores none. */
  readonly payloadColumn: `${string}_payload` | null;
  readonly lambda: AgentLambda;
  /** What the scale model (`lib/scale`) needs beyond the measured workload. */
  readonly scale: {
    /** Embeds its queries (the knowledge base's SageMaker endpoint) before its model calls. */
    readonly embedsQueries: boolean;
  };
}

/** Specialists by name, in the order the planner lists them and the Map's Choice tests them. */
export type Roster = Readonly<Record<string, SpecialistRow>>;

/** The team: one row per specialist. */
export const SPECIALIST_ROSTER = {
  reporter: {
    state: "Write report",
    payloadColumn: "report_payload",
    lambda: {
      handler: "functions/reporter.handler",
      resource: "Reporter",
      memoryMB: 1024,
      timeoutSeconds: 300,
      knowledgeBase: true,
    },
    scale: { embedsQueries: true },
  },
  charter: {
    state: "Draw charts",
    payloadColumn: "charts_payload",
    lambda: { handler: "functions/charter.handler", resource: "Charter", memoryMB: 512, timeoutSeconds: 300 },
    scale: { embedsQueries: false },
  },
  retirement: {
    state: "Project retirement",
    payloadColumn: "retirement_payload",
    lambda: { handler: "functions/retirement.handler", resource: "Retirement", memoryMB: 1024, timeoutSeconds: 300 },
    scale: { embedsQueries: false },
  },
} as const satisfies Roster;

export type SpecialistName = keyof typeof SPECIALIST_ROSTER;
export const SPECIALISTS = Object.keys(SPECIALIST_ROSTER) as SpecialistName[];

/** The column a specialist of the team stores its output in. */
export type SpecialistPayloadColumn = NonNullable<(typeof SPECIALIST_ROSTER)[SpecialistName]["payloadColumn"]>;

/** The agents that run before the specialists, each in its own function. */
export const LEAD_AGENTS = {
  tagger: { handler: "functions/tagger.handler", resource: "Tagger", memoryMB: 512, timeoutSeconds: 300 },
  planner: { handler: "functions/planner.handler", resource: "Planner", memoryMB: 512, timeoutSeconds: 120 },
} as const satisfies Readonly<Record<string, AgentLambda>>;

/** Every agent deployed as its own function (the reviewer runs inside the reporter's). */
export type AgentFunctionName = keyof typeof LEAD_AGENTS | SpecialistName;
export const AGENT_FUNCTIONS: AgentFunctionName[] = [
  ...(Object.keys(LEAD_AGENTS) as (keyof typeof LEAD_AGENTS)[]),
  ...SPECIALISTS,
];

/** The function of an agent. */
export const agentLambda = (name: AgentFunctionName): AgentLambda =>
  name in LEAD_AGENTS
    ? LEAD_AGENTS[name as keyof typeof LEAD_AGENTS]
    : SPECIALIST_ROSTER[name as SpecialistName].lambda;
