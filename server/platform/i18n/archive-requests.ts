/** Words of the data requests' register (PIPL Art. 44–47: a student asks to see, correct or delete their data) and its notifications. */

/** The notifications of a request's steps (activities/data-request.ts); Chinese only, like the others. */
export const REQUEST_NOTIFICATIONS = {
  reminder: '学生个人信息查阅/更正/删除申请：距答复期限还有 3 天',
  overdue: '学生个人信息查阅/更正/删除申请已逾期未答复，已上报学校',
} as const;

const zh = {
  title: '个人信息查阅、更正、删除申请登记',
  hint: '心理中心代学生登记其查阅、复制、更正或删除个人信息的申请（《个人信息保护法》第四十四至四十七条），须在期限内答复；到期前提醒，逾期上报学校。',
  nav: '信息申请',
  record: '登记申请',
  studentNo: '学号',
  kind: '申请类型',
  kinds: { access: '查阅、复制', correction: '更正、补充', deletion: '删除' } as Record<string, string>,
  receivedOn: '收到日期',
  request: '申请内容',
  due: '答复期限',
  status: '状态',
  statuses: { open: '待答复', answered: '已答复' } as Record<string, string>,
  overdue: '已逾期',
  answer: '答复（提供或更正了什么）',
  answerButton: '记录答复',
  answeredAt: '答复时间',
  none: '暂无申请。',
  saved: '已保存。',
  daysHint: '答复期限（天）由“档案设置”规定。',
  save: '保存',
  settingsNav: '档案设置',
  settingsTitle: '档案保存期限与申请答复期限',
  settingsHint:
    '学生离校后档案结档，保存期满即连同个人信息一并删除（《个人信息保护法》第四十七条）。延长保存期限对已结档的档案同样生效。',
  retentionDays: '离校后保存天数（1–3650）',
  dataRequestDays: '查阅/更正申请答复期限（天，1–30）',
};

const en: typeof zh = {
  title: 'Requests to see, correct or delete personal data',
  hint: 'The counselling centre records a student’s request to see, copy, correct or delete their personal data (PIPL Art. 44–47) and answers it within the deadline; a reminder comes before it, the school is alerted when it is missed.',
  nav: 'Data requests',
  record: 'Record a request',
  studentNo: 'Student number',
  kind: 'Kind',
  kinds: { access: 'see, copy', correction: 'correct, complete', deletion: 'delete' },
  receivedOn: 'Received on',
  request: 'What was asked',
  due: 'Answer by',
  status: 'Status',
  statuses: { open: 'open', answered: 'answered' },
  overdue: 'overdue',
  answer: 'Answer (what was given or corrected)',
  answerButton: 'Record the answer',
  answeredAt: 'Answered',
  none: 'No requests.',
  saved: 'Saved.',
  daysHint: 'The deadline (days) is the archive settings’.',
  save: 'Save',
  settingsNav: 'Archive settings',
  settingsTitle: 'Archive retention and the data requests’ deadline',
  settingsHint:
    'An archive closes when the student leaves and is deleted with the student’s personal data once the retention is over (PIPL Art. 47). A longer retention applies to archives already closed too.',
  retentionDays: 'Days kept after leaving (1–3650)',
  dataRequestDays: 'Days to answer a data request (1–30)',
};

export const ARCHIVE_REQUEST_TEXT = { 'zh-CN': zh, en };
