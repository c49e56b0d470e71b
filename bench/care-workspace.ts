/** bench/care.ts, part 2 (see care.ts): the care workspace through the web app. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { DEMO_PASSWORD, DEMO_SCHOOL } from '../db/demo';
import { signIn } from '../test/helpers/processes';
import { COLLEGE, COUNSELLOR, DAY, entries, requests, TEACHER, WARMUP } from './care-args';
import { count, GIVEN, pick, SURNAMES, withFreshDb, type Backend } from './care-data';
import { pct, seeded, timed as timedRuns } from './lib';
import { startBenchWeb, timeGet, type HttpResult } from './web';

// ---------------------------------------------------------------------------------------------
// 2. Care workspace

async function buildCare(db: Knex, now: number): Promise<void> {
  const random = seeded(20241101);
  const students = [];
  const keyCare = [];
  const ledger = [];
  const followUps = [];
  const pairings = [];
  const categories = ['emotional', 'interpersonal', 'adjustment', 'academic', 'disorder', 'employment'];
  for (let i = 0; i < entries; i++) {
    const studentId = crypto.randomUUID();
    const added = now - Math.floor((30 + random() * 60) * DAY);
    students.push({
      id: studentId,
      school_id: DEMO_SCHOOL.id,
      college_id: COLLEGE,
      student_no: `2023${String(i + 1).padStart(6, '0')}`,
      name: pick(SURNAMES, random) + pick(GIVEN, random) + pick(GIVEN, random),
      class_name: `汉语言文学2023级${(i % 8) + 1}班`,
      created_at: added,
    });
    keyCare.push({
      id: crypto.randomUUID(),
      student_id: studentId,
      college_id: COLLEGE,
      reasons: JSON.stringify([
        { kind: 'group', month: '2024-10', index: i % 4, zh: '家庭经济困难学生' },
        { kind: 'other', zh: '学业压力较大，近期睡眠不好' },
      ]),
      plan: '每两周约谈一次；与家长保持联系；关注宿舍人际关系；必要时转介学校心理中心。'.repeat(2),
      source: 'manual',
      source_id: null,
      status: 'active',
      added_by: 'literature-psych-counsellor',
      added_at: added,
      updated_at: added,
    });
    const entryId = crypto.randomUUID();
    ledger.push({
      id: entryId,
      student_id: studentId,
      college_id: COLLEGE,
      seq: i + 1,
      gender: random() < 0.6 ? '女' : '男',
      major_class: `汉语言文学2023级${(i % 8) + 1}班`,
      contact: `138${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
      interview_at: added + DAY,
      categories: JSON.stringify([categories[i % categories.length], categories[(i + 2) % categories.length]]),
      life_safety: i % 10 === 0,
      description: '入学以来情绪低落，与室友关系紧张，学业成绩下滑，曾向辅导员表示压力很大。',
      liaison_user_id: COUNSELLOR,
      plan: '辅导员每周谈心一次，心理辅导员每月评估一次，班主任关注日常表现并及时反馈。',
      source: 'manual',
      source_id: null,
      status: 'active',
      created_at: added,
      updated_at: added,
    });
    for (let k = 0; k < 3; k++) {
      followUps.push({
        id: crypto.randomUUID(),
        entry_id: entryId,
        at: added + (k + 1) * 10 * DAY,
        by: COUNSELLOR,
        text: `第${k + 1}次跟踪：情绪较前稳定，已按计划约谈，继续关注。`,
        counselling: k === 1,
        hospital: false,
      });
    }
    pairings.push({
      id: crypto.randomUUID(),
      college_id: COLLEGE,
      student_id: studentId,
      teacher_user_id: TEACHER,
      status: 'active',
      source: 'manual',
      source_id: null,
      override_reason: null,
      created_by: 'literature-college-leader',
      created_at: added,
      started_at: added,
      last_talk_at: now - Math.floor(random() * 20 * DAY),
      escalation_level: 0,
      ended_at: null,
      ended_reason: null,
    });
  }
  // chunks keep rows × columns under SQLite's bound-variable limit
  await db.batchInsert('students', students, 100);
  await db.batchInsert('key_care_entries', keyCare, 50);
  await db.batchInsert('ledger_entries', ledger, 40);
  await db.batchInsert('ledger_follow_ups', followUps, 100);
  await db.batchInsert('pairings', pairings, 50);
  await db.raw('analyze');
}

/** Runs `once` WARMUP times, then `requests` times timed; the durations in ms, sorted. */
const timed = (once: () => Promise<void>) => timedRuns(once, { warmup: WARMUP, requests });

async function measureCare(
  db: Knex,
): Promise<{ results: Array<HttpResult & { auditRows: number }>; auditBefore: number; auditAfter: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-bench-care-web-'));
  const web = await startBenchWeb({ knex: db, schoolId: DEMO_SCHOOL.id, evidenceDir: path.join(dir, 'evidence') });
  try {
    const { base } = web;
    const { cookie } = await signIn(base, COUNSELLOR, DEMO_PASSWORD);

    // Not timed: each list holds every entry, so the timings below are of the full workspace.
    const sizes: Array<[string, string]> = [
      ['ledger', 'entries'],
      ['key-care', 'entries'],
      ['pairings', 'pairings'],
    ];
    for (const [list, key] of sizes) {
      const body = (await (
        await fetch(`${base}/api/colleges/${COLLEGE}/${list}`, { headers: { cookie } })
      ).json()) as Record<string, unknown[] | undefined>;
      if (body[key]?.length !== entries)
        throw new Error(`GET /api/colleges/${COLLEGE}/${list}: ${body[key]?.length} ${key}, expected ${entries}`);
    }

    const auditBefore = await count(db, 'audit_events');
    const routes = [
      `/api/colleges/${COLLEGE}/ledger`,
      `/api/colleges/${COLLEGE}/key-care`,
      `/api/colleges/${COLLEGE}/pairings`,
      `/care?college=${COLLEGE}`,
      `/exports/ledger.xlsx?college=${COLLEGE}`,
    ];
    const results: Array<HttpResult & { auditRows: number }> = [];
    for (const route of routes) {
      const a0 = await count(db, 'audit_events');
      const h = await timeGet(base, route, cookie, timed);
      results.push({ ...h, auditRows: (await count(db, 'audit_events')) - a0 });
    }
    return { results, auditBefore, auditAfter: await count(db, 'audit_events') };
  } finally {
    await web.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const f = (ms: number) => ms.toFixed(2);
const stats = (t: number[]) =>
  `p50 ${f(pct(t, 50)).padStart(7)} ms  p95 ${f(pct(t, 95)).padStart(7)} ms  p99 ${f(pct(t, 99)).padStart(7)} ms  max ${f(t[t.length - 1]!).padStart(7)} ms`;

export async function benchCare(backend: Backend): Promise<void> {
  await withFreshDb(backend, async (db) => {
    const t0 = performance.now();
    await buildCare(db, Date.now());
    const built = performance.now() - t0;
    console.log(
      `  ${entries} students in ${COLLEGE}: ${entries} key-care, ${entries} ledger entries with ${await count(db, 'ledger_follow_ups')} follow-ups, ${entries} active pairings (built in ${(built / 1000).toFixed(1)} s); ` +
        `signed in as ${COUNSELLOR}; ${requests} requests per route after ${WARMUP} warm-up`,
    );
    const { results, auditBefore, auditAfter } = await measureCare(db);
    for (const h of results) {
      const size = h.bytes >= 1024 ? `${(h.bytes / 1024).toFixed(1)} KiB` : `${h.bytes} B`;
      console.log(
        `  GET ${h.route.padEnd(42)} ${stats(h.times)}   ${size} ${h.type}; +${h.auditRows} audit rows (${(h.auditRows / (requests + WARMUP)).toFixed(0)}/request)`,
      );
    }
    console.log(
      `  audit_events: ${auditBefore} rows before the timed routes (from the untimed checks of the three lists), ${auditAfter} after (+${auditAfter - auditBefore})`,
    );
  });
}
