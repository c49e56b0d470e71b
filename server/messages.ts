/** UI text, Chinese first, English switchable (?lang=en). Every page string lives here. */
export const MESSAGES = {
  'zh-CN': {
    appTitle: '心理健康工作任务督办',
    colleges: '二级学院',
    college: '学院',
    planned: '计划任务',
    completed: '已完成',
    overdue: '逾期',
    escalated: '已预警',
    semester: '学期',
    noSemester: '尚未启动学期',
    temporalUi: 'Temporal 控制台',
    health: '运行状态',
    switchLang: 'English',
  },
  en: {
    appTitle: 'Mental-health duty tracker',
    colleges: 'Colleges',
    college: 'College',
    planned: 'Planned tasks',
    completed: 'Completed',
    overdue: 'Overdue',
    escalated: 'Escalated',
    semester: 'Semester',
    noSemester: 'No semester started yet',
    temporalUi: 'Temporal Web UI',
    health: 'Health',
    switchLang: '中文',
  },
} as const;

export type Lang = keyof typeof MESSAGES;
export type Messages = (typeof MESSAGES)[Lang];

export function pickLang(query: unknown): Lang {
  return query === 'en' ? 'en' : 'zh-CN';
}
