/** The words of the checklist and roll-forward pages: roles, weekdays, the roll forward's flags. */
export const ROLE_ZH: Record<string, string> = {
  college_leader: '学院领导',
  psych_counsellor: '心理辅导员',
  counsellor: '辅导员',
  class_teacher: '班主任',
};
export const ROLE_EN: Record<string, string> = {
  college_leader: 'College leader',
  psych_counsellor: 'Psych. counsellor',
  counsellor: 'Counsellor',
  class_teacher: 'Class teacher',
};
export const WEEKDAY_ZH = ['', '一', '二', '三', '四', '五', '六', '日'];
export const WEEKDAY_EN = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const FLAG_ZH: Record<string, string> = {
  'holiday-missing': '缺少节日',
  'holiday-merged': '节日合并',
  'day-off': '休息日',
};
export const FLAG_EN: Record<string, string> = {
  'holiday-missing': 'holiday missing',
  'holiday-merged': 'holiday merged',
  'day-off': 'day off',
};
