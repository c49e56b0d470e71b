/** The roster upload (multipart, field `file`, at most 5 MB): its bytes, nothing stays on disk. */
import type { Request, Response } from 'express';
import type { AppDeps } from '../../platform/deps';
import { singleFileReceiver } from '../../platform/single-file';

/** Mount after the role check: nobody else gets a byte of the body read. */
export const rosterReceiver = (deps: AppDeps): ((req: Request, res: Response) => Promise<Buffer>) =>
  singleFileReceiver(deps, { maxBytes: 5 * 1024 * 1024, what: 'roster' });
