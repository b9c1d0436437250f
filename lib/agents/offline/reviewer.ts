import type { OfflinePolicy } from "../../models/offline.js";
import type { ReviewIssue } from "../fact-check.js";

/** Points a report loses per fact-check finding. */
const PENALTY = 15;

/** The offline reviewer is the deterministic fact-checker: its findings are the issues, each one costs points. */
export function reviewerPolicy(findings: ReviewIssue[]): OfflinePolicy {
  return () => ({ final: JSON.stringify({ score: Math.max(0, 100 - PENALTY * findings.length), issues: findings }) });
}
