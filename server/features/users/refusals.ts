/**
 * The refusals of user administration that its routes answer themselves: the API with their status
 * and (an import) the problems, the pages by showing them on the users page. Anything else goes on to
 * the error middleware.
 */
import type { Request, Response } from 'express';
import { ImportError } from '../../platform/csv';
import { BadRequestError } from '../../platform/errors';
import { UploadError } from '../../platform/upload';
import { UserNotFoundError } from './rules';

export function refusalOf(err: unknown): { status: number; error: string; problems?: string[] } | null {
  if (err instanceof UploadError) return { status: err.status, error: err.message };
  if (err instanceof UserNotFoundError) return { status: 404, error: err.message };
  if (err instanceof ImportError) return { status: 400, error: err.message, problems: err.problems };
  if (err instanceof BadRequestError) return { status: 400, error: err.message };
  return null;
}

export type Handler = (req: Request, res: Response) => Promise<void>;
export type Refusal = NonNullable<ReturnType<typeof refusalOf>>;

/** A route whose refusals (above) are answered by `answer`; anything else goes on to the error middleware. */
export const answeringRefusals =
  (answer: (req: Request, res: Response, refusal: Refusal) => Promise<void> | void) =>
  (fn: Handler) =>
  async (req: Request, res: Response): Promise<void> => {
    try {
      await fn(req, res);
    } catch (err) {
      const known = refusalOf(err);
      if (!known) throw err;
      await answer(req, res, known);
    }
  };
