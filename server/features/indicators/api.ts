/**
 * The indicators' JSON and downloads: GET /api/indicators?semester=ID (the page's figures),
 * GET and POST /api/indicators/inputs?semester=ID (the school's figures: read with their versions,
 * save a new version: 400 naming every problem), and /exports/indicators.{csv,xlsx}?semester=ID.
 */
import express, { type Request } from 'express';
import { inputProblemText } from '../../../domain/indicators-inputs';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { BadRequestError } from '../../platform/errors';
import { FORMATS, sendTable } from '../../platform/table-files';
import {
  indicatorsTable,
  readIndicatorInputs,
  readIndicators,
  saveIndicatorInputs,
  type IndicatorsDeps,
} from './use-cases';

export const indicatorsDeps = (deps: AppDeps): IndicatorsDeps => ({
  knex: deps.knex,
  store: deps.store,
  now: (deps.now ?? Date.now)(),
});

export function createIndicatorsApi(deps: AppDeps): express.Router {
  const r = express.Router();
  const semester = (req: Request) => req.query.semester;

  r.get('/api/indicators', async (req, res) => {
    const v = await readIndicators(indicatorsDeps(deps), currentUser(req), semester(req));
    res.json({
      semester: v.semester.id,
      asOf: v.asOf,
      period: v.period,
      school: v.school,
      inputs: v.inputs,
      indicators: v.indicators,
    });
  });

  r.get('/api/indicators/inputs', async (req, res) => {
    const v = await readIndicatorInputs(indicatorsDeps(deps), currentUser(req), semester(req));
    res.json({ semester: v.semester.id, latest: v.latest ?? null, versions: v.versions });
  });

  r.post('/api/indicators/inputs', async (req, res) => {
    const result = await saveIndicatorInputs(indicatorsDeps(deps), currentUser(req), semester(req), req.body);
    if (result.problems) throw new BadRequestError(result.problems.map(inputProblemText).join('; '));
    res.status(201).json({ version: result.version });
  });

  for (const format of FORMATS) {
    r.get(`/exports/indicators.${format}`, async (req, res) => {
      const lang = req.lang === 'en' ? 'en' : 'zh-CN';
      await sendTable(
        res,
        format,
        await indicatorsTable(indicatorsDeps(deps), currentUser(req), { semester: semester(req), lang }),
      );
    });
  }
  return r;
}
