/**
 * Crisis cases: report (JSON API), read with the live timeline (API and page), and each step of
 * the procedure through the workflows' Updates. Care staff of the student's college and the
 * counselling centre only; reads of student data are audited (server/crisis.ts).
 */
import express from 'express';
import { currentUser } from '../auth/context';
import { actOnCase, readCase, reportCase, type CaseStep } from '../crisis';
import type { AppDeps } from '../deps';
import { html, page } from '../html';
import { fmt, schoolZone } from './common';

const STEPS: CaseStep[] = ['on-scene', 'school-notified', 'action', 'guardian', 'check-in', 'hand-over', 'five-ones'];

export function createCrisisRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();
  const client = () => {
    if (!deps.client) throw new Error('Temporal is not configured for this server');
    return deps.client;
  };

  r.post('/api/crises', async (req, res) => {
    const user = currentUser(req);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const result = await reportCase({ client: client(), store: deps.store, knex: deps.knex, taskQueue: deps.taskQueue, now: now() }, user, {
      studentNo: String(b.studentNo ?? ''),
      studentName: String(b.studentName ?? ''),
      className: typeof b.className === 'string' ? b.className : undefined,
      collegeId: String(b.collegeId ?? user.collegeId ?? ''),
      situation: String(b.situation ?? '') as never,
      place: String(b.place ?? ''),
      occurredAt: Number(b.occurredAt) || now(),
    });
    res.status(201).json(result);
  });

  r.get('/api/crises/:id', async (req, res) => {
    res.json(await readCase({ store: deps.store, knex: deps.knex, now: now() }, currentUser(req), String(req.params.id)));
  });

  r.post('/api/crises/:id/:step', async (req, res) => {
    const step = String(req.params.step) as CaseStep;
    if (!STEPS.includes(step)) return void res.status(404).json({ error: `unknown step ${step}` });
    res.json({ state: await actOnCase({ client: deps.client, knex: deps.knex }, currentUser(req), String(req.params.id), step, (req.body ?? {}) as Record<string, unknown>) });
  });

  /** The case page: the student, each deadline, and the live timeline (who did what, when). */
  r.get('/crises/:id', async (req, res) => {
    const c = await readCase({ store: deps.store, knex: deps.knex, now: now() }, currentUser(req), String(req.params.id));
    const zone = await schoolZone(deps);
    const d = c.case.durations;
    const body = html`<h1>危机个案 ${c.case.id.slice(0, 8)}</h1>
<div class="card"><p>学生：${c.student.name}（${c.student.studentNo}${c.student.className ? ` · ${c.student.className}` : ''}） · 情况：${c.case.situation} · 地点：${c.case.place ?? ''}</p>
<p>上报：${fmt(c.case.reportedAt, zone)} · 到场确认截止：${fmt(c.case.reportedAt + d.onSceneAckMs, zone)} · 通知学校部门截止：${fmt(c.case.reportedAt + d.schoolNotifyMs, zone)} · 状态：${c.case.status} · 预警级别：${c.case.escalationLevel}</p></div>
<h2>时间线</h2>
<table id="timeline"><thead><tr><th>时间</th><th>事件</th><th>操作人</th></tr></thead><tbody>
${c.timeline.map((e) => html`<tr><td>${fmt(e.at, zone)}</td><td>${e.action}</td><td>${e.actor === 'timer' ? '系统定时' : e.actor}</td></tr>`)}
</tbody></table>`;
    res.setHeader('Cache-Control', 'no-store');
    res.send(page(req, { title: '危机个案', body }));
  });

  return r;
}
