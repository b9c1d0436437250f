import { Agent } from "@openai/agents-core";
import { z } from "zod";
import {
  findUntaggedInstrumentsOfUser,
  tagSharedInstrument,
  tagUserInstrument,
  type UntaggedInstrument,
} from "../db/repositories/instruments.js";
import { agentLogger } from "../logger.js";
import { ThrottledError } from "../models/retry.js";
import { AllocationSumError, normaliseAllocation } from "../portfolio/allocation.js";
import { ASSET_CLASSES, INSTRUMENT_TYPES, type Instrument, REGIONS, SECTORS } from "../portfolio/types.js";
import {
  type AgentDeps,
  AgentInputError,
  addUsage,
  DATA_NOTICE,
  dataBlock,
  mapWithConcurrency,
  NO_USAGE,
  requireJob,
  runAgent,
  type TokenUsage,
  usageOf,
} from "./common.js";
import { taggerPolicy } from "./offline/tagger.js";

export { AllocationSumError, normaliseAllocation };

export const TAGGER_INSTRUCTIONS = `You classify financial instruments (ETFs, funds, stocks, bonds) for a portfolio analysis.
For the instrument given, answer with:
- its name and instrument type;
- an approximate current price per share in USD (null if you cannot estimate it);
- three allocations in percent, each summing to exactly 100: asset class, region and sector.
ETFs and funds follow their underlying holdings; a single stock puts 100 in one category of each group.
Bonds use fixed_income and the treasury, corporate, mortgage or government_related sectors.
Give every listed key, using 0 where it does not apply. In "basis", say in a few words what the classification rests on.
${DATA_NOTICE}`;

const percent = z.number().min(0).max(100);
const percentages = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, percent])) as Record<K, typeof percent>);

export const InstrumentClassification = z.object({
  symbol: z.string(),
  name: z.string(),
  instrument_type: z.enum(INSTRUMENT_TYPES),
  current_price: z.number().positive().nullable(),
  allocation_asset_class: percentages(ASSET_CLASSES),
  allocation_regions: percentages(REGIONS),
  allocation_sectors: percentages(SECTORS),
  basis: z.string(),
});
export type InstrumentClassification = z.infer<typeof InstrumentClassification>;

export const taggerAgent = new Agent({
  name: "Tagger",
  instructions: TAGGER_INSTRUCTIONS,
  outputType: InstrumentClassification,
});

export function taggerPrompt(instrument: Instrument): string {
  return `Classify this instrument.\n\n${dataBlock("instrument", {
    symbol: instrument.symbol,
    name: instrument.name,
    instrument_type: instrument.instrument_type ?? "unknown",
    last_known_price: instrument.current_price,
  })}`;
}

export interface TaggedInstrument {
  symbol: string;
  basis: string;
}

type Outcome = { symbol: string; basis: string; usage: TokenUsage } | { symbol: string; error: Error };

export interface TaggingResult {
  requested: number;
  tagged: TaggedInstrument[];
  failed: { symbol: string; error: string }[];
  usage: TokenUsage;
}

/**
 * Classifies one instrument and stores its tagging where the instrument lives: a shared one (trusted
 * name) for everyone, a user's own one for that user only. The model's price estimate is never stored.
 */
export async function classifyInstrument(
  deps: AgentDeps,
  jobId: string,
  instrument: UntaggedInstrument,
  userId: string,
) {
  const result = await runAgent(deps, taggerAgent, taggerPrompt(instrument), {
    name: "tagger",
    jobId,
    offlinePolicy: taggerPolicy(instrument),
    maxTurns: 2,
  });
  const c = result.finalOutput;
  if (!c) throw new Error(`The tagger returned no classification for ${instrument.symbol}`);
  const tagging = {
    instrument_type: instrument.instrument_type ?? c.instrument_type,
    allocation_asset_class: normaliseAllocation(instrument.symbol, "allocation_asset_class", c.allocation_asset_class),
    allocation_regions: normaliseAllocation(instrument.symbol, "allocation_regions", c.allocation_regions),
    allocation_sectors: normaliseAllocation(instrument.symbol, "allocation_sectors", c.allocation_sectors),
  };
  if (instrument.scope === "shared") await tagSharedInstrument(deps.db, instrument.symbol, tagging);
  else await tagUserInstrument(deps.db, userId, instrument.symbol, tagging);
  return { basis: c.basis, usage: usageOf(result) };
}

/**
 * Tags the requested symbols among the job owner's untagged holdings, a few at a time. Each failure is
 * reported for its symbol and the others are still tagged — except a model that stayed throttled:
 * then the task throws ThrottledError once the batch settles, so Step Functions retries it later.
 */
export async function tagInstruments(deps: AgentDeps, jobId: string, symbols: string[]): Promise<TaggingResult> {
  if (symbols.length === 0) throw new AgentInputError("Tagger got an empty batch of symbols");
  const job = await requireJob(deps.db, jobId);
  const untagged = await findUntaggedInstrumentsOfUser(deps.db, job.clerk_user_id);
  const wanted = new Set(symbols);
  const batch = untagged.filter((i) => wanted.has(i.symbol));
  const log = agentLogger("tagger", jobId);
  const outcomes: Outcome[] = await mapWithConcurrency(batch, deps.config.taggerConcurrency, async (instrument) => {
    try {
      return { symbol: instrument.symbol, ...(await classifyInstrument(deps, jobId, instrument, job.clerk_user_id)) };
    } catch (error) {
      log.warn("classification failed", { symbol: instrument.symbol, error: (error as Error).message });
      return { symbol: instrument.symbol, error: error as Error };
    }
  });
  const throttled = outcomes.find((o) => "error" in o && o.error instanceof ThrottledError);
  if (throttled && "error" in throttled) throw throttled.error;
  const notHeld = symbols.filter((s) => !batch.some((i) => i.symbol === s));
  return {
    requested: symbols.length,
    tagged: outcomes.flatMap((o) => ("basis" in o ? [{ symbol: o.symbol, basis: o.basis }] : [])),
    failed: [
      ...outcomes.flatMap((o) =>
        "error" in o ? [{ symbol: o.symbol, error: `${o.error.name}: ${o.error.message}` }] : [],
      ),
      ...notHeld.map((symbol) => ({ symbol, error: "not an untagged holding of this job's owner" })),
    ],
    usage: outcomes.reduce((sum, o) => addUsage(sum, "usage" in o ? o.usage : NO_USAGE), NO_USAGE),
  };
}
