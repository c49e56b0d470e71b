/** bench/care.ts's data (see care.ts): generated names and screening files, and fresh databases. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Knex } from 'knex';
import { DEMO_COLLEGES, seedDemoSchool } from '../db/demo';
import { createKnex, migrateLatest, type DbOptions } from '../db/knex';
import { createStore } from '../db/store';
import { seeded, throwawayDatabase } from './lib';

export const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
export const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红鹏华飞丹玲宇浩凯俊辉婷雪梅琳晨欣怡思雨佳子涵轩博文睿泽嘉';
export const pick = (s: string, random: () => number) => s[Math.floor(random() * s.length)]!;

/** A screening file of n distinct students over the 8 demo colleges, about a quarter red. */
export function screeningCsv(n: number): { text: string; red: number } {
  const random = seeded(20240901 + n);
  const lines = ['学号,姓名,学院,班级,预警等级'];
  let red = 0;
  for (let i = 0; i < n; i++) {
    const college = DEMO_COLLEGES[i % DEMO_COLLEGES.length]!;
    const name = pick(SURNAMES, random) + pick(GIVEN, random) + (random() < 0.6 ? pick(GIVEN, random) : '');
    const isRed = random() < 0.25;
    if (isRed) red++;
    const level = isRed ? (random() < 0.5 ? '红色' : '红色预警') : random() < 0.5 ? '橙色' : '橙色预警';
    lines.push(
      `2024${String(i + 1).padStart(6, '0')},${name},${college.name},${college.name.replace(/学院$/, '')}2024级${(i % 12) + 1}班,${level}`,
    );
  }
  return { text: lines.join('\r\n') + '\r\n', red };
}

export function encodings(text: string): Array<{ name: string; bytes: Buffer }> {
  return [
    { name: 'utf8-bom', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]) },
    { name: 'gbk', bytes: iconv.encode(text, 'gbk') },
  ];
}

// ---------------------------------------------------------------------------------------------
// Databases

export type Backend = 'sqlite' | 'postgres';

/** A fresh, migrated database with the demo school seeded; dropped (or deleted) after `fn`. */
export async function withFreshDb<T>(backend: Backend, fn: (db: Knex, opts: DbOptions) => Promise<T>): Promise<T> {
  let opts: DbOptions;
  let cleanup: () => Promise<void>;
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-bench-care-'));
    opts = { sqliteFile: path.join(dir, 'bench.sqlite') };
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const database = await throwawayDatabase('rx_bench');
    opts = { databaseUrl: database.url };
    cleanup = () => database.drop();
  }
  const db = createKnex(opts);
  try {
    await migrateLatest(db);
    await seedDemoSchool(createStore(db));
    return await fn(db, opts);
  } finally {
    await db.destroy();
    await cleanup();
  }
}

export const count = async (db: Knex, table: string) =>
  Number(((await db(table).count({ n: '*' })) as [{ n: number | string }])[0].n);
