/**
 * Multipart uploads, streamed to disk. Every upload route mounts `receiveUploads(...)` after its
 * sign-in, role and CSRF checks, so no body is read for a caller who may not send one.
 *
 * - Each file is written to a temporary file in `<evidence dir>.incoming` as it arrives,
 *   never held in memory; a route reads it (CSV, JSON) or moves it (evidence) once the request
 *   is accepted.
 * - A file that passes the route's limit is refused at once (413 naming the limit), while the
 *   client is still sending; the rest of the body is discarded, not stored.
 * - A malformed body (cut off, no boundary, broken part headers) is 400 naming the problem.
 * - Temporary files are deleted on every path: refused, failed, or finished (`withUploads`).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { AppError } from './errors';

/** 400 or 413 with a message that names the problem. */
export class UploadError extends AppError {
  override name = 'UploadError';
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** A file of the request, on disk until the request ends. */
export interface ReceivedFile {
  fieldname: string;
  originalname: string;
  mimetype: string;
  /** the temporary file */
  path: string;
  size: number;
}

export interface UploadOptions {
  /** where temporary files go (see `uploadDir`) */
  dir: string;
  maxFileBytes: number;
  maxFiles: number;
  /** text fields allowed (default 50) */
  maxFields?: number;
  /** all parts allowed (default: files + fields) */
  maxParts?: number;
  /** the 413 message for a file over the limit (default: names the field and the limit) */
  tooLarge?: (field: string) => string;
}

/**
 * The temporary upload area of an app whose evidence lives in `evidenceDir`: a sibling of it
 * (`data/evidence.incoming`), so evidence is moved in by a rename, and the evidence directory
 * holds evidence only.
 */
export const uploadDir = (evidenceDir: string) => `${path.resolve(evidenceDir)}.incoming`;

const humanBytes = (n: number) =>
  n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MB` : n % 1024 === 0 ? `${n / 1024} KB` : `${n} bytes`;

interface Pending {
  /** temporary files of this request, until deleted */
  paths: Set<string>;
  /** answers the request now (a file passed its limit) */
  refuse?: (err: UploadError) => void;
}

const PENDING = Symbol('uploads');
type WithPending = Request & { [PENDING]?: Pending };
const pendingOf = (req: Request): Pending => {
  const r = req as WithPending;
  r[PENDING] ??= { paths: new Set() };
  return r[PENDING];
};

const closed = (ws: fs.WriteStream) =>
  new Promise<void>((resolve) => (ws.closed ? resolve() : ws.once('close', () => resolve())));

/** Deletes every temporary file of this request (safe to call more than once). */
export async function removeUploads(req: Request): Promise<void> {
  const p = (req as WithPending)[PENDING];
  if (!p) return;
  const paths = [...p.paths];
  p.paths.clear();
  await Promise.all(paths.map((f) => fsp.rm(f, { force: true })));
}

/** Reads a received file into memory (for small CSV/JSON files) and deletes it. */
export async function takeFile(req: Request, file: ReceivedFile): Promise<Buffer> {
  const buf = await fsp.readFile(file.path);
  await fsp.rm(file.path, { force: true });
  (req as WithPending)[PENDING]?.paths.delete(file.path);
  return buf;
}

/** The files multer received for this request. */
export function filesOf(req: Request): ReceivedFile[] {
  const f = req.files as Express.Multer.File[] | Record<string, Express.Multer.File[]> | undefined;
  const list = Array.isArray(f) ? f : f ? Object.values(f).flat() : req.file ? [req.file] : [];
  return list.map((x) => ({
    fieldname: x.fieldname,
    originalname: x.originalname,
    mimetype: x.mimetype,
    path: x.path,
    size: x.size,
  }));
}

function diskStorage(dir: string, maxFileBytes: number, tooLarge: (field: string) => string): multer.StorageEngine {
  return {
    _handleFile(req, file, cb) {
      const pending = pendingOf(req);
      let settled = false;
      const done = (err: Error | null, info?: Partial<Express.Multer.File>) => {
        if (settled) return;
        settled = true;
        cb(err, info);
      };
      const target = path.join(dir, randomUUID());
      pending.paths.add(target);
      const ws = fs.createWriteStream(target, { flags: 'wx' });
      let size = 0;
      file.stream.on('data', (c: Buffer) => {
        size += c.length;
      });
      file.stream.on('limit', () => {
        // busboy reports the limit once the file is one byte past it: stop writing, delete what
        // was written, discard the rest, and answer now rather than after the whole body
        file.stream.unpipe(ws);
        file.stream.resume();
        ws.destroy();
        void closed(ws)
          .then(() => fsp.rm(target, { force: true }))
          .then(() => {
            pending.paths.delete(target);
            pending.refuse?.(new UploadError(413, tooLarge(file.fieldname)));
            done(new multer.MulterError('LIMIT_FILE_SIZE', file.fieldname));
          });
      });
      ws.on('error', (err) => done(err));
      ws.on('finish', () => {
        if (size > maxFileBytes) return; // the 'limit' handler answers
        done(null, { path: target, size, filename: path.basename(target), destination: dir });
      });
      file.stream.pipe(ws);
    },
    _removeFile(req, file, cb) {
      (req as WithPending)[PENDING]?.paths.delete(file.path);
      fsp.rm(file.path, { force: true }).then(() => cb(null), cb);
    },
  };
}

/** Maps multer's and busboy's errors to a 400/413 that names the problem; system errors stay 500. */
function translate(err: unknown, tooLarge: (field: string) => string): unknown {
  if (err instanceof UploadError) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return new UploadError(413, tooLarge(err.field ?? 'file'));
    return new UploadError(400, `upload refused: ${err.message}${err.field ? ` (${err.field})` : ''}`);
  }
  const code = (err as { code?: unknown })?.code;
  if (err instanceof Error && !(typeof code === 'string' && /^E[A-Z]+$/.test(code))) {
    // busboy: "Unexpected end of form", "Malformed part header", "Multipart: Boundary not found", …
    return new UploadError(400, `malformed multipart body: ${err.message}`);
  }
  return err;
}

/**
 * Middleware: receives the multipart body into temporary files (`filesOf(req)`) and its text
 * fields into `req.body`. A request that is not multipart passes untouched. Mount it only after
 * the route's sign-in, role and CSRF checks.
 */
export function receiveUploads(opts: UploadOptions): RequestHandler {
  const tooLarge =
    opts.tooLarge ??
    ((field: string) => `file too large (${field}): the limit is ${humanBytes(opts.maxFileBytes)} per file`);
  const maxFields = opts.maxFields ?? 50;
  const mw = multer({
    storage: diskStorage(opts.dir, opts.maxFileBytes, tooLarge),
    defParamCharset: 'utf8',
    limits: {
      fileSize: opts.maxFileBytes,
      files: opts.maxFiles,
      fields: maxFields,
      parts: opts.maxParts ?? opts.maxFiles + maxFields,
      fieldSize: 64 * 1024,
    },
  }).any();
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    const pending = pendingOf(req);
    let answered = false;
    const finish = (err?: unknown) => {
      if (answered) return;
      answered = true;
      pending.refuse = undefined;
      if (!err) return next();
      void removeUploads(req).then(
        () => next(translate(err, tooLarge)),
        () => next(translate(err, tooLarge)),
      );
    };
    pending.refuse = (err) => finish(err);
    // whatever happens later, nothing of this request stays in the upload area
    res.once('close', () => void removeUploads(req));
    fsp.mkdir(opts.dir, { recursive: true }).then(
      () => mw(req, res, (err?: unknown) => finish(err)),
      (err) => finish(err),
    );
  };
}

/** Runs a route handler that uses uploads and deletes the request's temporary files before an error is answered. */
export function withUploads(handler: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await handler(req, res);
    } finally {
      await removeUploads(req);
    }
  };
}
