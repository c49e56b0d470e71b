/**
 * One uploaded file (multipart, field `file`) read into memory: its bytes, nothing stays on disk.
 * Used by the users CSV import and the class/dorm roster import.
 */
import type { Request, Response } from 'express';
import type { AppDeps } from './deps';
import { BadRequestError } from './errors';
import { filesOf, receiveUploads, removeUploads, takeFile, uploadDir } from './upload';

/** Mount after the role check: nobody else gets a byte of the body read. `what` names the file in the error. */
export function singleFileReceiver(
  deps: Pick<AppDeps, 'evidenceDir'>,
  opts: { maxBytes: number; what: string },
): (req: Request, res: Response) => Promise<Buffer> {
  const upload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: opts.maxBytes,
    maxFiles: 1,
    maxFields: 5,
    maxParts: 6,
    tooLarge: () => `file too large (max ${opts.maxBytes / (1024 * 1024)} MB)`,
  });
  return (req, res) =>
    new Promise<Buffer>((resolve, reject) =>
      upload(req, res, (err: unknown) => {
        const file = filesOf(req).find((f) => f.fieldname === 'file');
        const fail = (e: unknown) =>
          void removeUploads(req).then(() => reject(e instanceof Error ? e : new Error(String(e))), reject);
        if (err) fail(err);
        else if (!file) fail(new BadRequestError(`no file: send the ${opts.what} as the multipart field "file"`));
        else takeFile(req, file).then(resolve, fail);
      }),
    );
}
