/** The `ask`, `explain` and `eval-qa` command modules, called with parsed argv as the CLI does. */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { runAsk, runEvalQa, runExplain } from '../../src/cli/commands/reasoning.js';
import { createCase } from '../../src/store/cases.js';
import { buildAnalysisFixture, type AnalysisFixture } from '../helpers/analysis-fixture.js';
import { tempDir } from '../helpers/tmp.js';

describe('vigil ask / explain / eval-qa command modules', () => {
  const dir = tempDir();
  let fx: AnalysisFixture;

  beforeAll(async () => {
    fx = await buildAnalysisFixture(dir);
  });

  it('ask: answer, citations, refused flag, and a conversation to continue', async () => {
    const r = await runAsk(parseArgs(['--db', fx.dbPath, '--case', fx.caseId, 'when did the cyclist enter?', '--json']));
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['conversationId', 'answer', 'citations', 'refused']));
    expect(r.answer).toMatch(/^Track 10 \(bicycle\) enters from the left during \[6\.1, /);
    expect(r.citations[0]).toMatchObject({ evidenceId: fx.evidenceId, trackIds: [10] });
    expect(r.refused).toBe(false);
    const next = await runAsk(parseArgs(['--db', fx.dbPath, '--case', fx.caseId, '--conversation', r.conversationId, 'how', 'fast', 'was', 'it?']));
    expect(next.conversationId).toBe(r.conversationId);
    expect(next.answer).toMatch(/^Track 10 \(bicycle\) moves at 1\.9/);
    await expect(runAsk(parseArgs(['--db', fx.dbPath, '--case', fx.caseId]))).rejects.toThrow(/question is empty/);
    await expect(runAsk(parseArgs(['--db', fx.dbPath, 'what happened?']))).rejects.toThrow(/--case is required/);
  });

  it('explain: the reasoning steps with citations; another case\'s event is refused', async () => {
    const r = await runExplain(parseArgs(['--db', fx.dbPath, '--case', fx.caseId, '--event', fx.eventIds[1]]));
    expect(r).toMatchObject({ eventId: fx.eventIds[1], category: 'loitering', source: 'taxonomy' });
    expect(r.steps.map((s) => s.kind)).toContain('conclusion');
    expect(r.steps.every((s) => s.citations.length > 0)).toBe(true);
    const other = createCase(fx.db, { name: 'Someone else' });
    await expect(runExplain(parseArgs(['--db', fx.dbPath, '--case', other.id, '--event', fx.eventIds[0]]))).rejects.toMatchObject({ code: 'not_found' });
    await expect(runExplain(parseArgs(['--db', fx.dbPath, '--case', fx.caseId]))).rejects.toThrow(/--event is required/);
  });

  it('eval-qa: clear errors for missing or wrong arguments', async () => {
    await expect(runEvalQa(parseArgs([]))).rejects.toThrow(/--dataset is required/);
    await expect(runEvalQa(parseArgs(['--dataset', dir, '--reference', 'other']))).rejects.toThrow(/--reference must be "train" or "self"/);
    await expect(runEvalQa(parseArgs(['--dataset', dir, '--reference', 'self', '--detector', 'none']))).rejects.toThrow(/Ground truth not found/);
  });
});
