import { SPECIALIST_ROSTER, SPECIALISTS, type SpecialistName } from "../roster.js";

/** The names a person reads in the Step Functions console (and in the local progress display). */
export const STATE = {
  prepareJob: "Prepare job",
  jobClaimed: "Job claimed?",
  alreadyProcessed: "Already processed",
  refreshPrices: "Refresh prices",
  instrumentsMissing: "Instruments missing?",
  tagInstruments: "Tag instruments",
  planAnalysis: "Plan analysis",
  runSpecialists: "Run specialists",
  whichSpecialist: "Which specialist?",
  recordSpecialistFailure: "Record specialist failure",
  unknownSpecialist: "Unknown specialist",
  finalizeJob: "Finalize job",
  qualityGate: "Quality gate",
  done: "Analysis complete",
  needsReview: "Needs review",
  markJobFailed: "Mark job failed",
  jobFailed: "Job failed",
} as const;

/** The state inside the Map that runs each specialist (its row in `lib/roster.ts`). */
export const SPECIALIST_STATE = Object.fromEntries(
  SPECIALISTS.map((name) => [name, SPECIALIST_ROSTER[name].state]),
) as { [Name in SpecialistName]: (typeof SPECIALIST_ROSTER)[Name]["state"] };
