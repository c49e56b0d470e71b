/**
 * The texts of the notifications the activities send (inbox, e-mail, webhook): tasks, the digest,
 * screening warnings, crisis cases and pairings. They are written in Chinese only today (the
 * recipients' language is not stored); `catalogue.en.notifications` is the same text.
 */

/** Crisis case steps (activities/crisis.ts), by the case event's action. */
const crisisActions: Record<string, string> = {
  reported: '新的危机个案已上报，请班主任、辅导员立即赶赴现场，并报告学院领导',
  routed: '其他学院上报的危机个案涉及本学院登记的学生，已转至本学院及学校，请立即处置',
  'on-scene-missed': '危机个案 30 分钟内无人确认到场（一级预警）',
  'on-scene-missed-school': '危机个案仍无人确认到场，已上报学校（二级预警）',
  'school-notified': '学院领导已通知心理中心、保卫处、校医院',
  'school-notify-missed': '学院领导未按时确认已通知学校相关部门（二级预警）',
  'check-in-missed': '24小时特别监护：监护人未按时报到（一级预警）',
  'check-in-missed-school': '24小时特别监护：监护人仍未报到，已上报学校（二级预警）',
  'no-hand-over': '24小时特别监护已到期但尚未完成安全责任移交，监护继续',
  'handed-over': '已完成向家长的安全责任移交',
  'parents-authorised': '家长已授权送医',
  'taken-to-hospital': '学生已送医',
  'police-called': '已报警（110）',
  'five-ones': '已落实“五个一”',
  'ledger-and-pairing-proposed': '请将该生列入干预台账并安排结对帮扶',
};

/** A crisis case's situation, in the care ledger's reason. */
const crisisSituations: Record<string, string> = {
  injury: '已造成伤害',
  danger_to_others: '危及他人或公共安全',
  self_harm_risk: '有自伤自杀风险',
};

/** Pairing steps (activities/pairing.ts). */
const pairingActions: Record<string, string> = {
  'talk-reminder': '结对帮扶：距离下次谈心谈话截止还有 2 天',
  'talk-overdue': '结对帮扶：已超过半个月未谈心谈话（一级预警）',
  'talk-overdue-school': '结对帮扶：谈心谈话逾期未完成，已上报学校（二级预警）',
  ended: '结对帮扶已结束',
  'teacher-changed': '结对帮扶：您已接手一名学生的结对帮扶（原帮扶教师离岗交接）',
};

/** Screening follow-up steps (activities/screening.ts). */
const screeningActions: Record<string, string> = {
  reminded: '心理访谈即将到期，请尽快约谈并填写约谈情况记录表',
  overdue: '心理访谈已逾期未完成（一级预警）',
  escalated: '心理访谈逾期仍未完成，已上报学校（二级预警）',
  'key-care-and-ledger-proposed': '约谈评估为高危或需危机干预：请将该生纳入重点关爱库和心理干预台账，并安排结对帮扶',
};

/** A screening warning's level (red: 红色/一级, orange: 橙色/二级). */
const screeningLevels: Record<'red' | 'orange', string> = { red: '红色（一级）预警', orange: '橙色（二级）预警' };

/** The counts of the daily digest (activities/digest.ts). */
interface DigestCounts {
  overdue: number;
  escalated: number;
  level2: number;
}
interface DigestCare {
  interviews: number;
  talks: number;
  unpaired: number;
  crises: number;
  crisesEscalated: number;
}

const digest = {
  /** The college's overdue care work in words, or '' when there is none. */
  careLine(c: DigestCare | undefined): string {
    if (!c) return '';
    const parts = [
      c.interviews ? `心理访谈逾期 ${c.interviews} 人` : '',
      c.talks ? `结对谈心逾期 ${c.talks} 人` : '',
      c.unpaired ? `待安排结对帮扶 ${c.unpaired} 人` : '',
      c.crises ? `危机个案未结案 ${c.crises} 件${c.crisesEscalated ? `（其中预警 ${c.crisesEscalated} 件）` : ''}` : '',
    ].filter(Boolean);
    return parts.join('，');
  },
  /** The first line of a digest sent while the semester's workflows still catch up. */
  catchUp: (behind: number) =>
    `注意：本学期的工作记录仍在更新到当前时间（尚有 ${behind} 项未更新），以下数字尚不完整，请稍后以督办看板为准。`,
  count: (c: DigestCounts) => `逾期 ${c.overdue} 项，已预警 ${c.escalated} 项（二级预警 ${c.level2} 项）`,
  level: (level: number) => (level >= 2 ? '（二级预警）' : level === 1 ? '（一级预警）' : ''),
  kickoff: (collegeName: string, localDate: string, pending: number, overdue: number) =>
    `${collegeName}：本周周研判已开始（${localDate}），请对重点关爱学生逐一研判并记录结果。` +
    `本学院周研判任务未完成 ${pending} 项，其中逾期 ${overdue} 项。`,
  kickoffTitle: (pending: number) => `本周周研判已开始：未完成 ${pending} 项`,
  /** the title of a digest sent while the workflows still catch up */
  behindTitle: (title: string) => `（数据补记中）${title}`,
  /** a college leader's digest: title, first line, care line, one line per task, the rest */
  collegeTitle: (count: string, care: string) => `每日督办：${count}${care ? `；${care}` : ''}`,
  collegeHead: (collegeName: string, asOf: string, count: string) => `${collegeName}截至 ${asOf}：${count}。`,
  careBlock: (care: string) => `学生关爱：${care}，请在“关爱工作”页处理。`,
  taskLine: (n: number, titleZh: string, due: string, level: string) => `${n}. 「${titleZh}」截止 ${due}${level}`,
  more: (n: number) => `另有 ${n} 项，请在督办看板查看。`,
  /** the school admins' digest: one line per college, the inactive colleges, the stopped workflows */
  collegeLine: (collegeName: string, count: string, care: string) =>
    `· ${collegeName}：${count}${care ? `；${care}` : ''}`,
  inactiveLine: (n: number) => `· 其他（已停用学院）：${n} 项`,
  stopped: (n: number) => (n ? `；流程中断 ${n} 项` : ''),
  stoppedBlock: (n: number) =>
    `另有 ${n} 项工作的流程在本系统之外被终止或取消，请在“流程中断”页（/admin/workflows）重新启动或人工跟进。`,
  schoolTitle: (count: string, stopped: string) => `每日督办（全校）：${count}${stopped}`,
  schoolHead: (asOf: string, count: string) => `全校截至 ${asOf}：${count}。按学院：`,
};

/** A crisis event's inbox text: it names the case by its opaque id only. */
function crisisMessage(m: { caseId: string; action: string; collegeName: string }): { title: string; body: string } {
  const what = crisisActions[m.action] ?? m.action;
  return { title: `危机个案 ${m.caseId.slice(0, 8)}：${what}`, body: `${m.collegeName} · ${what}` };
}

/** A pairing event's inbox text. */
function pairingMessage(m: { action: string; collegeName: string }): { title: string; body: string } {
  const what = pairingActions[m.action] ?? m.action;
  return { title: what, body: `${m.collegeName} · ${what}` };
}

/** A screening event's inbox text: the warning by its opaque id, its level and the interview's deadline. */
function screeningMessage(m: {
  warningId: string;
  level: 'red' | 'orange';
  action: string;
  collegeName: string;
  due: string;
}): {
  title: string;
  body: string;
} {
  const what = screeningActions[m.action] ?? m.action;
  const level = screeningLevels[m.level];
  const id = m.warningId.slice(0, 8);
  return {
    title: `心理筛查${level} ${id}：${what}`,
    body: `${m.collegeName} · ${level}学生（编号 ${id}）· 约谈截止 ${m.due} · ${what}`,
  };
}

/** Why a student entered the key-care list (the care ledger's reason). */
const careReasons = {
  crisis: (situation: string) => `心理危机个案（${crisisSituations[situation] ?? situation}）`,
  screening: (level: 'red' | 'orange', r: { highRisk: boolean; needsCrisisIntervention: boolean }) =>
    `心理普测${screeningLevels[level]}，约谈${[r.highRisk ? '评估为高危人群' : '', r.needsCrisisIntervention ? '需要心理危机干预' : ''].filter(Boolean).join('，')}`,
};

/** The inbox text of a task step (activities/index.ts, also the ladder's). */
function taskMessage(
  action: string,
  m: { titleZh: string; collegeName: string | null; due: string },
): { title: string; body: string } {
  const { due } = m;
  const where = m.collegeName ? `${m.collegeName}：` : '';
  const t = `「${m.titleZh}」`;
  switch (action) {
    case 'opened':
      return { title: `新任务${t}`, body: `${where}任务${t}已开始，截止时间 ${due}。` };
    case 'reminded':
      return { title: `提醒：${t}即将到期`, body: `${where}任务${t}将于 ${due} 到期，请按时完成。` };
    case 'overdue':
      return { title: `逾期：${t}`, body: `${where}任务${t}已于 ${due} 到期仍未完成，已上报学院领导（一级预警）。` };
    case 'escalated':
      return { title: `二级预警：${t}`, body: `${where}任务${t}截止 ${due}，逾期仍未完成，已上报学校（二级预警）。` };
    case 'due-moved':
      return { title: `截止时间调整：${t}`, body: `${where}任务${t}的截止时间调整为 ${due}。` };
    default:
      return { title: t, body: `${where}${t}：${action}` };
  }
}

/** The inbox text of a return (退回): the reason, and the deadline the task is back under. */
function returnedMessage(m: { titleZh: string; collegeName: string | null; due: string; reason: string }): {
  title: string;
  body: string;
} {
  const where = m.collegeName ? `${m.collegeName}：` : '';
  return {
    title: `退回：「${m.titleZh}」`,
    body: `${where}任务「${m.titleZh}」的完成已被退回，理由：${m.reason}。请重新完成，截止时间 ${m.due}。`,
  };
}

export const NOTIFICATION_TEXT = {
  crisis: { message: crisisMessage, careReason: careReasons.crisis, situations: crisisSituations },
  pairing: { message: pairingMessage },
  screening: { message: screeningMessage, careReason: careReasons.screening },
  digest,
  tasks: { message: taskMessage, returned: returnedMessage },
  /** the last lines of every e-mail (notifications/outbox-send.ts) */
  emailFooter: '\n\n——\n本邮件由心理健康工作督办系统自动发送，请勿直接回复；详情请登录系统查看。',
};
