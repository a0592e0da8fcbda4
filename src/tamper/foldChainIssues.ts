import type { ChainIssue } from './chainCheck.js';
import type { FindingDrafts } from './FindingDrafts.js';

/**
 * Turns what the chain pass saw into findings, once the seal pass has said what it knows: a chain link that
 * fails right after a removed, inserted or rewritten row is that same tampering, named by the seal pass with the
 * right id, and only joins it as a related id. What no seal explains (rows newer than the last seal, or changed
 * without touching their hash) becomes a finding of its own.
 */
export function foldChainIssues(issues: readonly ChainIssue[], drafts: FindingDrafts, sealOf: (id: bigint) => string | undefined = () => undefined): void {
  for (const issue of issues) {
    switch (issue.kind) {
      case 'span':
        foldSpan(issue, drafts);
        break;
      case 'skip':
        foldSkip(issue, drafts);
        break;
      default:
        foldLink(issue, drafts, sealOf(issue.id));
    }
  }
}

function foldSpan(issue: ChainIssue, drafts: FindingDrafts): void {
  const known = drafts.at(issue.id) ?? (issue.previousId === null ? undefined : drafts.at(issue.previousId));
  if (known) {
    drafts.relate(known, issue.id);
    return;
  }
  drafts.add({
    kind: 'inserted',
    auditId: issue.id,
    related: [],
    message: () =>
      `Row ${issue.id} continues transaction ${issue.tx} after row ${issue.previousId}, which is sealed at or below watermark ` +
      `${issue.watermark}: that transaction had ended when the seal was made, so row ${issue.id} was added later.`,
  });
}

// The next row fits only without this one: this one was squeezed in, or the next one was moved here from
// right after the one before (its id changed), which the seal pass or the span check has named already.
function foldSkip(issue: ChainIssue, drafts: FindingDrafts): void {
  const moved = drafts.at(issue.nextId!);
  if (moved) {
    drafts.relate(moved, issue.id);
    return;
  }
  const known = drafts.at(issue.id);
  if (known) {
    drafts.relate(known, issue.nextId!);
    return;
  }
  drafts.add({
    kind: 'inserted',
    auditId: issue.id,
    related: [issue.nextId!],
    message: () =>
      `Row ${issue.id} fits the chain of transaction ${issue.tx}, but the row after it (${issue.nextId}) fits only without it: ` +
      `row ${issue.id} was inserted, with a correctly computed hash.`,
  });
}

function foldLink(issue: ChainIssue, drafts: FindingDrafts, sealId: string | undefined): void {
  if (drafts.at(issue.id)) {
    return;
  }
  const previous = issue.previousId === null ? undefined : drafts.at(issue.previousId);
  const explained = previous ?? drafts.removedBetween(issue.previousId, issue.id);
  if (explained) {
    drafts.relate(explained, issue.id);
    return;
  }
  const after = issue.previousId === null ? `at the start of the chain of transaction ${issue.tx}` : `after row ${issue.previousId} in the chain of transaction ${issue.tx}`;
  const or =
    issue.previousId === null
      ? `or an earlier row of that transaction was removed`
      : `or row ${issue.previousId} was changed and its hash recomputed, or a row between them was removed`;
  drafts.add({
    kind: 'changed',
    auditId: issue.id,
    ...(sealId !== undefined && { sealId }),
    related: issue.previousId === null ? [] : [issue.previousId],
    message: () => `Row ${issue.id} does not fit ${after}: row ${issue.id} was changed, ${or}.`,
  });
}
