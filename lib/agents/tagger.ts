import { Agent } from "@openai/agents-core";
import { z } from "zod";
import {
  findUntaggedInstrumentsOfJob,
  type InstrumentTagging,
  type TaggingRecord,
  tagInstrumentsOfJob,
  type UntaggedInstrument,
} from "../db/repositories/instruments.js";
import { agentLogger } from "../logger.js";
import { ThrottledError } from "../models/retry.js";
import { AllocationSumError, normaliseAllocation } from "../portfolio/allocation.js";
import { ASSET_CLASSES, INSTRUMENT_TYPES, type Instrument, REGIONS, SECTORS } from "../portfolio/types.js";
import { writeWithTaskSpans } from "../tracing/job-trace.js";
import {
  type AgentDeps,
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

type Outcome =
  | { symbol: string; basis: string; usage: TokenUsage; tagging: InstrumentTagging }
  | { symbol: string; error: Error }
  | { symbol: string; deferred: true };

/** The attempt used its time budget: what it classified is stored, the rest is left for the next attempt. */
export class TaggerOutOfTimeError extends Error {
  override name = "TaggerOutOfTimeError";
}

/** What one tagger attempt did: the record it stored on the job, and the model calls it made. */
export type TaggingResult = TaggingRecord & { usage: TokenUsage };

/**
 * Classifies one instrument: the tagging to store where the instrument lives (a shared one, from its
 * trusted name, for everyone; a user's own one for that user only). The model's price estimate is never kept.
 */
export async function classifyInstrument(deps: AgentDeps, jobId: string, instrument: UntaggedInstrument) {
  const result = await runAgent(deps, taggerAgent, taggerPrompt(instrument), {
    name: "tagger",
    jobId,
    offlinePolicy: taggerPolicy(instrument),
    maxTurns: 2,
  });
  const c = result.finalOutput;
  if (!c) throw new Error(`The tagger returned no classification for ${instrument.symbol}`);
  const tagging: InstrumentTagging = {
    symbol: instrument.symbol,
    scope: instrument.scope,
    instrument_type: instrument.instrument_type ?? c.instrument_type,
    allocation_asset_class: normaliseAllocation(instrument.symbol, "allocation_asset_class", c.allocation_asset_class),
    allocation_regions: normaliseAllocation(instrument.symbol, "allocation_regions", c.allocation_regions),
    allocation_sectors: normaliseAllocation(instrument.symbol, "allocation_sectors", c.allocation_sectors),
  };
  return { basis: c.basis, usage: usageOf(result), tagging };
}

/**
 * Tags the job owner's untagged holdings (read from the database, never passed in the state), a few at a time,
 * and stores every classification with a record of the attempt in the job's summary, in one statement. Each
 * failure is recorded for its symbol and the others are still tagged — except a model that stayed throttled:
 * then what was classified is stored and the task throws ThrottledError, so Step Functions retries it later;
 * one out of its time budget stores what it classified and throws TaggerOutOfTimeError, and the next attempt
 * goes on with the holdings still untagged. `requested` is what Prepare job counted (default: what this attempt
 * found); the summary lists every symbol tagged over all attempts.
 */
export async function tagInstruments(deps: AgentDeps, jobId: string, requested?: number): Promise<TaggingResult> {
  const batch = await findUntaggedInstrumentsOfJob(deps.db, jobId);
  if (batch.length === 0) await requireJob(deps.db, jobId);
  const log = agentLogger("tagger", jobId);
  const { taggerConcurrency, taggerBudgetSeconds } = deps.config;
  const deadline = performance.now() + taggerBudgetSeconds * 1000;
  let started = 0;
  const outcomes: Outcome[] = await mapWithConcurrency(batch, taggerConcurrency, async (instrument) => {
    // The first wave always starts, so every attempt makes progress.
    if (started >= taggerConcurrency && performance.now() > deadline)
      return { symbol: instrument.symbol, deferred: true };
    started += 1;
    try {
      return { symbol: instrument.symbol, ...(await classifyInstrument(deps, jobId, instrument)) };
    } catch (error) {
      log.warn("classification failed", { symbol: instrument.symbol, error: (error as Error).message });
      return { symbol: instrument.symbol, error: error as Error };
    }
  });
  const taggings = outcomes.flatMap((o) => ("tagging" in o ? [o.tagging] : []));
  const failed = outcomes.flatMap((o) =>
    "error" in o ? [{ symbol: o.symbol, error: `${o.error.name}: ${o.error.message}` }] : [],
  );
  const record = { requested: requested ?? batch.length, tagged: taggings.map((t) => t.symbol), failed };
  await writeWithTaskSpans([taggings, record], (spans) => tagInstrumentsOfJob(deps.db, jobId, taggings, record, spans));
  const throttled = outcomes.find((o) => "error" in o && o.error instanceof ThrottledError);
  if (throttled && "error" in throttled) throw throttled.error;
  const deferred = outcomes.filter((o) => "deferred" in o).length;
  if (deferred > 0)
    throw new TaggerOutOfTimeError(
      `${deferred} of ${batch.length} symbols left for the next attempt after ${taggerBudgetSeconds} s`,
    );
  return { ...record, usage: outcomes.reduce((sum, o) => addUsage(sum, "usage" in o ? o.usage : NO_USAGE), NO_USAGE) };
}
