/**
 * Replays captured workflow histories against the current workflow code: the semester
 * simulation's (test/histories/) and the care procedures' (test/histories/care/: crisis case,
 * supervision, screening follow-up, pairing). A change that makes the code non-deterministic for
 * running workflows fails here. Regenerate the fixtures only for an intended, versioned change:
 *   npm run simulate -- --calendar calendars/2024-autumn.json --colleges 3 \
 *     --policy on-time,none,late:2 --capture-histories test/histories
 *   npx tsx scripts/capture-care-histories.ts test/histories/care
 *   npx tsx scripts/capture-unit-histories.ts test/histories/units   (the class and dorm levels)
 *   npx tsx scripts/capture-archive-histories.ts test/histories/care   (the archive's purge timer, a data request)
 *   CAPTURE_LADDER_HISTORIES=1 npx vitest run test/ladder.timeskip.test.ts   (test/histories/ladder/:
 *     the college ladder of ADR 0005 and a semester that started ladders)
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, test } from 'vitest';
import { quietRuntime, workflowBundle } from './helpers/temporal';

const DIR = path.join(__dirname, 'histories');
const files = [
  ...fs.readdirSync(DIR).filter((f) => f.endsWith('.history.pb')),
  ...fs
    .readdirSync(path.join(DIR, 'care'))
    .filter((f) => f.endsWith('.history.pb'))
    .map((f) => path.join('care', f)),
  ...fs
    .readdirSync(path.join(DIR, 'ladder'))
    .filter((f) => f.endsWith('.history.pb'))
    .map((f) => path.join('ladder', f)),
  // the class and dorm levels (npx tsx scripts/capture-unit-histories.ts test/histories/units)
  ...fs
    .readdirSync(path.join(DIR, 'units'))
    .filter((f) => f.endsWith('.history.pb'))
    .map((f) => path.join('units', f)),
].sort();

describe('replay of captured histories', () => {
  test('When the captured semester, college-semester, task and care histories are replayed, then every one replays without non-determinism', async () => {
    quietRuntime();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const histories = files.map((f) => ({
      workflowId: f,
      history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(DIR, f))),
    }));
    // each kind of workflow is covered, including tasks completed by the Update and escalated ones
    const types = new Set(
      histories.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name),
    );
    expect([...types].sort()).toEqual([
      'collegeLadderWorkflow',
      'collegeSemesterWorkflow',
      'crisisCaseWorkflow',
      'dataRequestWorkflow',
      'pairingWorkflow',
      'purgeArchiveWorkflow',
      'screeningFollowUpWorkflow',
      'semesterWorkflow',
      'supervisionWorkflow',
      'taskWorkflow',
      'unitConcernWorkflow',
      'unitReportsWorkflow',
    ]);
    const replayed: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      expect(result.error, `${result.workflowId}: ${String(result.error)}`).toBeUndefined();
      replayed.push(result.workflowId);
    }
    expect(replayed.sort()).toEqual(files);
  });
});
