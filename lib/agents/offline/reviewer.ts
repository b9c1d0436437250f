import type { OfflinePolicy } from "../../models/offline.js";
import type { ReviewIssue } from "../fact-check.js";

/** Points a report loses per fact-check finding. */
export const FINDING_PENALTY = 15;

/** The offline reviewer is the deterministic fact-checker: its findings are the issues, each one costs points. */
export function reviewerPolicy(findings: ReviewIssue[]): OfflinePolicy {
  return () => ({
    final: JSON.stringify({ score: Math.max(0, 100 - FINDING_PENALTY * findings.length), issues: findings }),
  });
}
