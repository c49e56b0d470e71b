/** The words of the screening-import page (issue 14), and the import's row problems in Chinese. */

const zh = {
  title: '导入心理普测预警名单',
  intro:
    '上传心理普测的预警名单（CSV 文件，UTF-8 或 GBK 编码）。第一行为表头，须有：学号、姓名、学院、预警等级（红色/橙色），可选：班级。先预览检查，确认后才导入；有任何一行不合格，整份文件都不会导入。',
  collegeOnly: '您只能导入本学院学生的预警。',
  file: '名单文件（CSV）',
  preview: '上传并预览',
  previewTitle: '预览：请核对后确认导入',
  rowsOk: (n: number, red: number, orange: number) =>
    `共 ${n} 名学生：红色预警 ${red} 人，橙色预警 ${orange} 人。确认后，每名学生都会按时限安排心理访谈并自动跟踪。`,
  duplicate: '这份文件此前已经导入过：确认不会重复导入，只会检查访谈跟踪是否都已启动。',
  shownFirst: (n: number, of: number) => `仅显示前 ${n} 行（共 ${of} 行）。`,
  line: '行',
  studentNo: '学号',
  name: '姓名',
  college: '学院',
  className: '班级',
  level: '预警等级',
  levels: { red: '红色', orange: '橙色' } as Record<string, string>,
  confirm: '确认导入',
  cancel: '取消，重新选择文件',
  problemsTitle: '文件未通过检查，没有导入任何内容',
  problemsIntro: '请按以下逐行说明修改文件后重新上传：',
  noFile: '请选择要上传的 CSV 文件。',
  expired: '预览已失效（超过一天或已导入），请重新上传文件。',
  doneTitle: '导入完成',
  done: (n: number) => `已导入 ${n} 条预警，并已为每名学生启动访谈跟踪。`,
  doneDuplicate: (n: number) => `这份文件此前已导入（${n} 条预警），没有重复导入。`,
  toCare: '前往关爱工作查看预警',
  /** the import's row problems (server/features/screening, domain/screening) in the user's words */
  problems: [
    [/more fields than the header has/, () => '字段数多于表头'],
    [/学号\/studentNo is empty/, () => '学号为空'],
    [/invalid student number "([^"]*)"/, (m) => `学号“${m[1]}”无效（1–32 位字母、数字、下划线或连字符）`],
    [
      /student number "([^"]*)" appears again \(first on line (\d+)\)/,
      (m) => `学号“${m[1]}”重复（第一次出现在第 ${m[2]} 行）`,
    ],
    [
      /student number "([^"]*)" cannot be imported by this college/,
      (m) => `学号“${m[1]}”已登记在其他学院，不能由本学院导入`,
    ],
    [/姓名\/name is empty/, () => '姓名为空'],
    [/姓名\/name is longer than 100/, () => '姓名超过 100 个字'],
    [/姓名\/name .*control/, () => '姓名含有控制字符'],
    [/学院\/college is empty/, () => '学院为空'],
    [/unknown college "([^"]*)"/, (m) => `没有名为“${m[1]}”的学院`],
    [/college "([^"]*)" is not yours/, (m) => `“${m[1]}”不是您的学院：只能导入本学院学生的预警`],
    [/预警等级\/level is empty/, () => '预警等级为空'],
    [/unknown warning level "([^"]*)"/, (m) => `预警等级“${m[1]}”无法识别（应为红色或橙色）`],
    [/班级\/class is longer than 100/, () => '班级超过 100 个字'],
    [/班级\/class .*control/, () => '班级含有控制字符'],
  ] as ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => string]>,
};

const en: typeof zh = {
  title: 'Import screening warnings',
  intro:
    'Upload the screening warnings (CSV, UTF-8 or GBK). The first line is the header: student number, name, college, warning level (red/orange), and optionally class. You see a preview first and import only on confirming; if any row is wrong, nothing of the file is imported.',
  collegeOnly: 'You may import warnings of your own college only.',
  file: 'File (CSV)',
  preview: 'Upload and preview',
  previewTitle: 'Preview: check, then confirm the import',
  rowsOk: (n: number, red: number, orange: number) =>
    `${n} students: ${red} red, ${orange} orange. On confirming, each gets an interview with its deadline, followed up automatically.`,
  duplicate:
    'This file was imported before: confirming imports nothing again; it only checks that every follow-up runs.',
  shownFirst: (n: number, of: number) => `First ${n} of ${of} rows shown.`,
  line: 'Line',
  studentNo: 'Student number',
  name: 'Name',
  college: 'College',
  className: 'Class',
  level: 'Level',
  levels: { red: 'red', orange: 'orange' } as Record<string, string>,
  confirm: 'Import',
  cancel: 'Cancel, choose another file',
  problemsTitle: 'The file did not pass the checks: nothing was imported',
  problemsIntro: 'Correct these lines and upload the file again:',
  noFile: 'Choose the CSV file to upload.',
  expired: 'This preview has expired (after a day, or it was imported): upload the file again.',
  doneTitle: 'Imported',
  done: (n: number) => `${n} warnings imported; each student's interview is followed up.`,
  doneDuplicate: (n: number) => `This file was imported before (${n} warnings): nothing was imported again.`,
  toCare: 'Open the care workspace',
  /** none: an English page shows the import's own (English) problems */
  problems: [],
};

export const SCREENING_TEXT = { 'zh-CN': zh, en };
