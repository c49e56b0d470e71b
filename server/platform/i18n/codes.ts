/**
 * Words for stored codes (issue 14): a task's occurrence key (week-03, national-day, exam-1), the
 * escalation levels, a semester's and a Temporal workflow's status, the months, the checklist's
 * roles and weekdays, the roll forward's flags, and a task workflow's refusals. The stored codes stay
 * as they are (they are workflow ids); only what people read changes. Chinese first.
 */
import type { CollegeRole } from '../../../contracts/checklist';

/** the roll forward's flags (server/features/semesters/use-cases/roll-forward-rows.ts) */
type RollFlag = 'holiday-missing' | 'holiday-merged' | 'day-off';

const COLLEGE_ROLES_ZH: Record<CollegeRole, string> = {
  college_leader: '学院领导',
  psych_counsellor: '心理辅导员',
  counsellor: '辅导员',
  class_teacher: '班主任',
};

const zh = {
  /** "week-03" → 第 3 周 */
  week: (n: number) => `第 ${n} 周`,
  /** "exam-1" → 第 1 个考试周 */
  examWeek: (n: number) => `第 ${n} 个考试周`,
  /** a holiday id with a name → 国庆节前 */
  before: (holiday: string) => `${holiday}前`,
  /** a holiday id without a name → the id, then 前 */
  beforeId: (id: string) => `${id} 前`,
  /** a task's title with its occurrence in words: 每周研判会（第 1 周） */
  titleWithOccurrence: (title: string, occurrence: string) => `${title}（${occurrence}）`,
  /** holiday names for ids a calendar commonly uses, when the calendar itself cannot be read */
  holidays: {
    'mid-autumn': '中秋节',
    'national-day': '国庆节',
    'new-year': '元旦',
    christmas: '圣诞节',
    'spring-festival': '春节',
    qingming: '清明节',
    'labour-day': '劳动节',
    'labor-day': '劳动节',
    'dragon-boat': '端午节',
    vacation: '放假',
  } as Record<string, string>,
  /** the escalation ladder (docs/domain.md: level 1 goes to the college leader, level 2 to the school) */
  levels: ['正常', '已逾期提醒学院', '已上报学校'] as readonly [string, string, string],
  semesterStatus: {
    planned: '待启动',
    running: '进行中',
    closed: '已结束',
    cancelled: '已取消',
    failed: '启动失败',
  } as Record<string, string>,
  /** a Temporal workflow execution status (TERMINATED, …) */
  workflowStatus: {
    RUNNING: '运行中',
    COMPLETED: '已完成',
    FAILED: '已失败',
    CANCELLED: '已取消',
    TERMINATED: '已终止',
    TIMED_OUT: '已超时',
    CONTINUED_AS_NEW: '已续接',
    NOT_FOUND: '未找到',
  } as Record<string, string>,
  /** "2024-10" → 2024 年 10 月 */
  month: (year: string, month: string) => `${year} 年 ${Number(month)} 月`,
  /** the college roles (a checklist task's owner) */
  collegeRoles: COLLEGE_ROLES_ZH,
  /** the staff's roles (the pages' and the exports') */
  roleNames: { school_admin: '学校管理员', ...COLLEGE_ROLES_ZH },
  /** ISO weekdays 1–7 (index 0 unused) */
  weekdays: ['', '一', '二', '三', '四', '五', '六', '日'] as readonly string[],
  /** the roll forward's flags */
  flags: { 'holiday-missing': '缺少节日', 'holiday-merged': '节日合并', 'day-off': '休息日' } as Record<
    RollFlag,
    string
  >,
  /** a task workflow's refusal (server/features/tasks/use-cases, workflows/task.ts) in the user's words */
  taskRefusals: [
    [/already completed/, '该任务已经完成，无需重复提交。'],
    [/was waived and is closed|already waived/, '该任务已豁免并关闭。'],
    [/has not opened yet/, '该任务尚未开始，开始后才能提交。'],
    [/a reason is required to waive/, '豁免任务须填写理由。'],
    [/a reason is required to move/, '调整截止时间须填写理由。'],
    [/only the college leader may waive/, '只有学院领导可以豁免任务。'],
    [/only the school administration may move/, '只有学校管理员可以调整截止时间。'],
    [/is not a date and time written YYYY-MM-DD HH:mm/, '新的截止时间格式不对，请按“YYYY-MM-DD HH:mm”填写。'],
    [/the new schedule is inconsistent/, '新的截止时间与提醒时间冲突，请换一个时间。'],
    [/belongs to another college/, '该任务属于其他学院。'],
    [/may complete this task/, '只有学院中负责该任务的岗位或学院领导可以提交完成。'],
    [/^evidence incomplete/, '佐证材料不完整，请按要求补充后再提交。'],
    [/only a completed task can be returned/, '只有已完成的任务才能退回。'],
    [/may return a completion/, '只有本学院领导或学校管理员可以退回任务。'],
    [/a reason is required to return/, '退回任务须填写理由。'],
    [
      /needs a semester on the ladder model/,
      '本学期的任务按“每任务一个流程”运行，任务完成后流程即结束，无法退回；新学期可以退回。',
    ],
    [/ladder has ended/, '本学期已结束且所有任务均已关闭，无法再退回。'],
  ] as ReadonlyArray<readonly [RegExp, string]>,
};

type CodeWords = typeof zh;

const COLLEGE_ROLES_EN: Record<CollegeRole, string> = {
  college_leader: 'College leader',
  psych_counsellor: 'Psych. counsellor',
  counsellor: 'Counsellor',
  class_teacher: 'Class teacher',
};

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const en: CodeWords = {
  week: (n) => `Week ${n}`,
  examWeek: (n) => `Exam week ${n}`,
  before: (holiday) => `Before ${holiday}`,
  beforeId: (id) => `Before ${id}`,
  titleWithOccurrence: (title, occurrence) => `${title} (${occurrence})`,
  holidays: {
    'mid-autumn': 'Mid-Autumn Festival',
    'national-day': 'National Day',
    'new-year': "New Year's Day",
    christmas: 'Christmas',
    'spring-festival': 'Spring Festival',
    qingming: 'Qingming Festival',
    'labour-day': 'Labour Day',
    'labor-day': 'Labour Day',
    'dragon-boat': 'Dragon Boat Festival',
    vacation: 'the vacation',
  },
  levels: ['Normal', 'Overdue: college alerted', 'Escalated to the school'],
  semesterStatus: {
    planned: 'Planned',
    running: 'Running',
    closed: 'Closed',
    cancelled: 'Cancelled',
    failed: 'Failed to start',
  },
  workflowStatus: {
    RUNNING: 'running',
    COMPLETED: 'completed',
    FAILED: 'failed',
    CANCELLED: 'cancelled',
    TERMINATED: 'terminated',
    TIMED_OUT: 'timed out',
    CONTINUED_AS_NEW: 'continued as new',
    NOT_FOUND: 'not found',
  },
  /** "2024-10" → Oct 2024 */
  month: (year, month) => `${MONTHS_EN[Number(month) - 1] ?? month} ${year}`,
  collegeRoles: COLLEGE_ROLES_EN,
  roleNames: { school_admin: 'School admin', ...COLLEGE_ROLES_EN },
  weekdays: ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  flags: { 'holiday-missing': 'holiday missing', 'holiday-merged': 'holiday merged', 'day-off': 'day off' },
  /** none: an English page shows the workflow's own message */
  taskRefusals: [],
};

export const CODE_WORDS = { 'zh-CN': zh, en };
