/** The CSV upload of the users import (multipart, field `file`, at most 1 MB): its bytes, nothing stays on disk. */
import type { Request, Response } from 'express';
import type { AppDeps } from '../../platform/deps';
import { singleFileReceiver } from '../../platform/single-file';

/** Mount after the role check: nobody else gets a byte of the body read. */
export const csvReceiver = (deps: AppDeps): ((req: Request, res: Response) => Promise<Buffer>) =>
  singleFileReceiver(deps, { maxBytes: 1024 * 1024, what: 'CSV' });
