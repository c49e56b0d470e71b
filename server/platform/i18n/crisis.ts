/** Words of the crisis case page and report form (issue 14): step states, countdowns, form errors, timeline codes. */
import type { Lang } from './lang';

function duration(ms: number, lang: Lang): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (lang === 'en')
    return [d ? `${d} d` : '', h ? `${h} h` : '', !d && (m || !h) ? `${m} min` : ''].filter(Boolean).join(' ');
  return [d ? `${d} 天` : '', h ? `${h} 小时` : '', !d && (m || !h) ? `${m} 分钟` : ''].filter(Boolean).join(' ');
}

/** "还剩 1 小时 5 分钟" / "已超时 12 分钟" (the same rule as the page script's countdown, server/assets/app.js). */
export function countdownText(deadline: number, now: number, lang: Lang): string {
  const left = deadline - now;
  if (lang === 'en') return left >= 0 ? `${duration(left, lang)} left` : `${duration(-left, lang)} overdue`;
  return left >= 0 ? `还剩 ${duration(left, lang)}` : `已超时 ${duration(-left, lang)}`;
}

export const CRISIS_TEXT = {
  'zh-CN': {
    progress: '处置进度',
    stepCol: '步骤',
    stateCol: '状态',
    deadlineCol: '时限',
    states: { done: '已完成', due: '待办', overdue: '已逾期', waiting: '待前一步完成', none: '按需' } as Record<
      string,
      string
    >,
    nextDeadline: '下一个时限',
    nextCheckIn: '下一次报平安',
    noDeadline: '当前没有待办的时限',
    doneAt: '完成于',
    dueAt: '截止',
    liveNote: '本页每 30 秒自动更新，倒计时每分钟更新。',
    escalationNames: ['正常', '一级预警（已提醒学院领导）', '二级预警（已上报学校）'] as readonly string[],
    choose: '请选择',
    formProblems: '上报未提交，请更正以下内容：',
    errors: {
      college: '请选择学生所在的学院。',
      studentNo: '请填写学号（字母、数字、下划线或连字符，最多 32 位）。',
      studentName: '请填写学生姓名。',
      situation: '请选择情况类别。',
      place: '请填写地点。',
      occurredAt: '发生时间无效：请填写不晚于现在的日期和时间。',
      control: '不能包含换行或控制字符。',
      other: '上报未能完成，请检查填写内容后重试。',
    } as Record<string, string>,
    /** timeline codes not in the care words (server/i18n/care.ts timelineNames) */
    moreTimeline: {
      'workflow-ended-externally': '流程在系统外被终止',
      'workflow-restarted': '流程已重新启动',
      'forged-workflow-replaced': '伪造的流程已被替换',
      viewed: '查看学生信息',
    } as Record<string, string>,
    otherEvent: '其他事件',
    /** the workflows' refusal reasons, in words (the English text stays folded under details) */
    rejections: [
      [/already acknowledged on scene/, '已确认到场，无需重复确认。'],
      [/already confirmed/, '已确认通知学校部门，无需重复确认。'],
      [/confirm every department/, '请勾选全部学校部门（心理健康教育中心、保卫处、校医院）后再确认。'],
      [/another college/, '此个案属于其他学院，您不能办理。'],
      [/only a college leader/, '此步骤须由学院领导确认。'],
      [/parents' authorisation before the hospital/, '送医前须先记录家长授权。'],
      [/supervision has not ended/, '特别监护尚未以交接结束，暂不能结案。'],
      [/name the responsible leader/, '请填写负责领导、工作小组、工作方案和后续跟踪计划。'],
      [/assign a guardian before checking in/, '请先指定监护人，再报平安。'],
      [/name the guardian on duty/, '请选择值班的监护人。'],
      [/who received responsibility/, '请填写接收人（家长或监护人）。'],
      [/who witnessed/, '请填写见证人。'],
      [/no 24-hour special supervision/, '此个案没有 24 小时特别监护（仅在有自伤自杀风险时启动）。'],
      [/supervision (has )?ended|is over|already handed over/, '特别监护已经结束。'],
      [/case is closed|already closed/, '个案已结案。'],
    ] as Array<[RegExp, string]>,
    rejectedOther: '此步骤未能办理，请刷新页面查看个案的最新状态。',
    details: '技术细节',
    /** "还剩 1 小时 5 分钟" / "已超时 12 分钟" */
    countdown: (deadline: number, now: number) => countdownText(deadline, now, 'zh-CN'),
    /** a workflow's refusal in the user's words */
    rejection: (message: string) => rejectionText(message, 'zh-CN'),
  },
  en: {
    progress: 'Progress',
    stepCol: 'Step',
    stateCol: 'State',
    deadlineCol: 'Deadline',
    states: {
      done: 'Done',
      due: 'Due',
      overdue: 'Overdue',
      waiting: 'After the previous step',
      none: 'As needed',
    } as Record<string, string>,
    nextDeadline: 'Next deadline',
    nextCheckIn: 'Next check-in',
    noDeadline: 'No deadline is pending',
    doneAt: 'done',
    dueAt: 'due',
    liveNote: 'This page updates itself every 30 seconds; countdowns every minute.',
    escalationNames: ['Normal', 'Level 1 (college leader alerted)', 'Level 2 (school alerted)'] as readonly string[],
    choose: 'Choose',
    formProblems: 'The report was not sent. Please correct:',
    errors: {
      college: "Choose the student's college.",
      studentNo: 'Give the student number (letters, digits, _ or -, up to 32).',
      studentName: "Give the student's name.",
      situation: 'Choose the situation.',
      place: 'Give the place.',
      occurredAt: 'The time is not valid: give a date and time not later than now.',
      control: 'must not contain line breaks or control characters.',
      other: 'The report could not be made: check the form and try again.',
    } as Record<string, string>,
    moreTimeline: {
      'workflow-ended-externally': 'Workflow stopped outside the app',
      'workflow-restarted': 'Workflow restarted',
      'forged-workflow-replaced': 'Forged workflow replaced',
      viewed: 'Student viewed',
    } as Record<string, string>,
    otherEvent: 'Other event',
    rejections: [] as Array<[RegExp, string]>,
    rejectedOther: 'This step could not be done: reload the page to see where the case stands.',
    details: 'Technical details',
    countdown: (deadline: number, now: number) => countdownText(deadline, now, 'en'),
    rejection: (message: string) => rejectionText(message, 'en'),
  },
};

/** A workflow's refusal in the user's words (English keeps the message as written). */
function rejectionText(message: string, lang: Lang): string {
  if (lang === 'en') return message;
  for (const [re, words] of CRISIS_TEXT['zh-CN'].rejections) if (re.test(message)) return words;
  return CRISIS_TEXT['zh-CN'].rejectedOther;
}
