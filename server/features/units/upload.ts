/** The roster upload (multipart, field `file`, at most 5 MB): its bytes, nothing stays on disk. */
import type { Request, Response } from 'express';
import type { AppDeps } from '../../platform/deps';
import { BadRequestError } from '../../platform/errors';
import { filesOf, receiveUploads, removeUploads, takeFile, uploadDir } from '../../platform/upload';

const MAX_ROSTER_BYTES = 5 * 1024 * 1024;

/** Mount after the role check: nobody else gets a byte of the body read. */
export function rosterReceiver(deps: AppDeps): (req: Request, res: Response) => Promise<Buffer> {
  const upload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: MAX_ROSTER_BYTES,
    maxFiles: 1,
    maxFields: 5,
    maxParts: 6,
    tooLarge: () => 'file too large (max 5 MB)',
  });
  return (req, res) =>
    new Promise<Buffer>((resolve, reject) =>
      upload(req, res, (err: unknown) => {
        const file = filesOf(req).find((f) => f.fieldname === 'file');
        const fail = (e: unknown) =>
          void removeUploads(req).then(() => reject(e instanceof Error ? e : new Error(String(e))), reject);
        if (err) fail(err);
        else if (!file) fail(new BadRequestError('no file: send the roster as the multipart field "file"'));
        else takeFile(req, file).then(resolve, fail);
      }),
    );
}
