/** The part of the case page that refreshes itself every 30 s: status, progress with countdowns, timeline (no student data). */
import type { Request } from 'express';
import type { CrisisDurations } from '../../../../contracts';
import { html, type Raw } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import { progressOf, type CaseStep, type TimelineEvent } from '../use-cases';
import { text } from '../../../platform/i18n';

/** The part of the case page that refreshes itself: status, progress with countdowns, timeline. */
export function liveBlock(
  req: Request,
  ctx: { zone: string; now: number; names: Map<string, string> },
  caseId: string,
  k: { situation: string; status: string; escalationLevel: number; reportedAt: number; durations: CrisisDurations },
  timeline: TimelineEvent[],
): Raw {
  const m = text(req).care;
  const c = text(req).crisis;
  const tm = text(req).ui;
  const lang = req.lang ?? 'zh-CN';
  const { zone, names } = ctx;
  const nowMs = ctx.now;
  const p = progressOf(k, timeline, nowMs);
  const stepTitle: Record<CaseStep, string> = {
    'on-scene': m.stepOnScene,
    'school-notified': m.stepSchoolNotified,
    action: m.stepAction,
    guardian: m.stepGuardian,
    'check-in': m.stepCheckIn,
    'hand-over': m.stepHandOver,
    'five-ones': m.stepFiveOnes,
  };
  const countdown = (deadline: number) =>
    html`<span class="countdown${deadline < nowMs ? ' overdue' : ''}" data-deadline="${deadline}">${c.countdown(deadline, nowMs)}</span>`;
  const eventName = (code: string) => m.timelineNames[code] ?? c.moreTimeline[code] ?? c.otherEvent;
  const level = Math.max(0, Math.min(2, k.escalationLevel));
  return html`<div id="live" data-live="30" data-live-src="/crises/${encodeURIComponent(caseId)}?fragment=live">
<div class="card" id="progress"><h2>${c.progress}</h2>
<p>${m.status}：<strong id="status">${m.caseStatusNames[k.status] ?? k.status}</strong> · ${m.escalation}：<strong id="escalation" class="level-${level}">${c.escalationNames[level]}</strong></p>
<p class="next">${p.next ? html`<span id="next-deadline">${c.nextDeadline}：${stepTitle[p.next.key]} ${fmt(p.next.deadline, zone)}，${countdown(p.next.deadline!)}</span>` : html`<span id="next-deadline">${c.noDeadline}</span>`}${p.nextCheckIn !== null ? html`<br><span id="next-check-in">${c.nextCheckIn}：${fmt(p.nextCheckIn, zone)}，${countdown(p.nextCheckIn)}</span>` : ''}</p>
<table id="steps"><thead><tr><th>${c.stepCol}</th><th>${c.stateCol}</th><th>${c.deadlineCol}</th></tr></thead><tbody>
${p.rows.map((x) => html`<tr data-step="${x.key}" data-state="${x.state}"><td>${stepTitle[x.key]}</td><td class="step-${x.state}">${c.states[x.state]}</td><td>${x.doneAt !== null ? html`${c.doneAt} ${fmt(x.doneAt, zone)}` : x.deadline !== null && x.state !== 'none' ? html`${c.dueAt} ${fmt(x.deadline, zone)}，${countdown(x.deadline)}` : '—'}</td></tr>`)}
</tbody></table>
<p class="muted"><small>${c.liveNote}</small></p></div>
<h2>${m.timeline}</h2>
<table id="timeline"><thead><tr><th>${tm.at}</th><th>${tm.action}</th><th>${tm.actor}</th></tr></thead><tbody>
${timeline.map((e) => html`<tr data-code="${e.action}"><td>${fmt(e.at, zone)}</td><td>${eventName(e.action)}</td><td>${e.actor === 'timer' ? tm.timer : e.actor === 'system' ? (lang === 'en' ? 'system' : '系统') : e.actor === '' ? m.ownerCollegeStaff : (names.get(e.actor) ?? e.actor)}</td></tr>`)}
</tbody></table></div>`;
}
