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
  writeReport: "Write report",
  drawCharts: "Draw charts",
  projectRetirement: "Project retirement",
  recordSpecialistFailure: "Record specialist failure",
  unknownSpecialist: "Unknown specialist",
  finalizeJob: "Finalize job",
  qualityGate: "Quality gate",
  done: "Analysis complete",
  needsReview: "Needs review",
  markJobFailed: "Mark job failed",
  jobFailed: "Job failed",
} as const;

/** The Map state that runs each specialist. */
export const SPECIALIST_STATE = {
  reporter: STATE.writeReport,
  charter: STATE.drawCharts,
  retirement: STATE.projectRetirement,
} as const;
