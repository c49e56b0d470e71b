/**
 * Failed notification deliveries for the school admin (issue 15): the e-mails and group-robot
 * messages that could not be sent (with the last error), and a re-send per row or for all.
 * The web process holds no channel credentials: a re-send queues the row again (failed → pending)
 * and the worker's outbox sweep (notifications/outbox.ts sweep, every SWEEP_EVERY_MS) sends it,
 * with the same idempotency key. Failed rows are also re-sent on their own by that sweep; this
 * page shows what still fails. School admin by session only (a re-send is audited in their name).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../auth/context';
import type { AppDeps } from '../deps';
import { html, page } from '../html';
import { NotFoundError } from '../semesters';
import { fmt, schoolZone } from './common';
import { AppError } from '../platform/errors';

const TABLE = 'notification_deliveries';
const LIST_LIMIT = 500;

/** A conflict with the row's state (already sent, being sent): 409. */
export class DeliveryStateError extends AppError {
  override name = 'DeliveryStateError';
  readonly status = 409;
}

export interface FailedDelivery {
  id: number;
  eventKey: string;
  channel: 'email' | 'webhook';
  /** the e-mail address, or the robot's host (never its URL or token) */
  target: string;
  title: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  lastAttemptAt: number | null;
}

async function listFailed(deps: AppDeps): Promise<{ deliveries: FailedDelivery[]; unsent: number }> {
  const rows = (await deps
    .knex(`${TABLE} as d`)
    .join('notifications as n', 'n.id', 'd.notification_id')
    .where('d.status', 'failed')
    .orderBy('d.id', 'desc')
    .limit(LIST_LIMIT)
    .select(
      'd.id',
      'd.event_key',
      'd.channel',
      'd.target',
      'd.status',
      'd.attempts',
      'd.last_error',
      'd.created_at',
      'd.claimed_at',
      'n.title',
    )) as Array<Record<string, unknown>>;
  const unsent = (await deps.knex(TABLE).whereNot('status', 'sent').count({ n: '*' }).first()) as
    { n: number | string } | undefined;
  return {
    unsent: Number(unsent?.n ?? 0),
    deliveries: rows.map((r) => ({
      id: Number(r.id),
      eventKey: String(r.event_key),
      channel: r.channel as FailedDelivery['channel'],
      target: r.channel === 'webhook' ? String(r.target).split('#')[0]! : String(r.target),
      title: String(r.title),
      status: String(r.status),
      attempts: Number(r.attempts),
      lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
      createdAt: Number(r.created_at),
      lastAttemptAt: r.claimed_at === null || r.claimed_at === undefined ? null : Number(r.claimed_at),
    })),
  };
}

function parseId(raw: unknown): number {
  const s = String(raw);
  if (!/^[1-9][0-9]{0,15}$/.test(s))
    throw new BadRequestError(`delivery id must be a positive whole number, got "${s.slice(0, 40)}"`);
  return Number(s);
}

export function createDeliveriesRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ? deps.now() : Date.now());

  const sessionAdmin = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) throw new UnauthorizedError('sign in first');
    if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
    next();
  };

  /** Queues one delivery again: failed → pending (the worker's sweep sends it); an already queued one stays queued. */
  async function resend(id: number, actor: string): Promise<{ id: number; status: 'pending' }> {
    const row = (await deps.knex(TABLE).where({ id }).first('id', 'status', 'event_key')) as
      { id: number; status: string; event_key: string } | undefined;
    if (!row) throw new NotFoundError(`unknown delivery ${id}`);
    if (row.status === 'sent') throw new DeliveryStateError(`delivery ${id} was already sent; it is not sent again`);
    if (row.status === 'sending') throw new DeliveryStateError(`delivery ${id} is being sent right now`);
    if (row.status === 'failed') {
      const at = now();
      const updated = await deps
        .knex(TABLE)
        .where({ id, status: 'failed' })
        .update({ status: 'pending', claimed_at: null });
      if (updated === 1) {
        await deps.store.appendAudit({
          eventKey: `delivery-resend:${id}:${at}`,
          subjectType: 'notification_delivery',
          subjectId: String(id),
          action: 'delivery_resend',
          actor,
          at,
          details: { eventKey: row.event_key },
        });
      }
    }
    return { id, status: 'pending' };
  }

  async function resendAll(actor: string): Promise<number> {
    const { deliveries } = await listFailed(deps);
    let queued = 0;
    for (const d of deliveries) {
      try {
        await resend(d.id, actor);
        queued++;
      } catch (e) {
        if (!(e instanceof DeliveryStateError)) throw e; // sent or picked up meanwhile
      }
    }
    return queued;
  }

  r.get('/api/admin/deliveries/failed', sessionAdmin, async (_req, res) => {
    res.json(await listFailed(deps));
  });
  r.post('/api/admin/deliveries/resend-failed', sessionAdmin, async (req, res) => {
    res.status(202).json({ queued: await resendAll(req.user!.id) });
  });
  r.post('/api/admin/deliveries/:id/resend', sessionAdmin, async (req, res) => {
    res.status(202).json({ delivery: await resend(parseId(req.params.id), req.user!.id) });
  });

  r.get('/admin/deliveries', sessionAdmin, async (req, res) => {
    const en = req.lang === 'en';
    const zone = await schoolZone(deps);
    const { deliveries, unsent } = await listFailed(deps);
    const csrf = req.csrfToken ?? '';
    const done = typeof req.query.done === 'string' ? req.query.done : '';
    const error = typeof req.query.error === 'string' ? req.query.error : '';
    const title = en ? 'Failed notifications' : '发送失败的通知';
    const body = html`<h1>${title}</h1>
      <p>
        ${
          en
            ? 'E-mails and group-robot messages that could not be sent. They are re-sent on their own every few seconds once the channel works again; a re-send here queues one now. A message is never sent twice on purpose: each carries the same key.'
            : '以下邮件和群机器人消息未能发出。通道恢复后系统会每隔数秒自动重发；也可在此立即重发。每条消息带有固定的编号，不会有意重复发送。'
        }
      </p>
      ${done ? html`<p class="notice" id="done">${en ? 'Queued' : '已排队重发'}: ${done}</p>` : ''}
      ${error ? html`<p class="error" id="error">${error}</p>` : ''}
      <p id="unsent">${en ? 'Not yet sent in all' : '尚未发出（含排队中）'}: ${unsent}</p>
      ${
        deliveries.length
          ? html`<form method="post" action="/admin/deliveries/resend-failed">
                <input type="hidden" name="_csrf" value="${csrf}" /><button class="btn">
                  ${en ? 'Re-send all failed' : '全部重发'}
                </button>
              </form>
              <table id="failed-deliveries">
                <thead>
                  <tr>
                    <th>${en ? 'Message' : '消息'}</th>
                    <th>${en ? 'Channel' : '通道'}</th>
                    <th>${en ? 'To' : '接收方'}</th>
                    <th>${en ? 'Attempts' : '尝试次数'}</th>
                    <th>${en ? 'Last attempt' : '最近尝试'}</th>
                    <th>${en ? 'Error' : '错误'}</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${deliveries.map(
                    (d) =>
                      html`<tr data-delivery="${d.id}">
                        <td>${d.title}<br /><small>${d.eventKey}</small></td>
                        <td>${d.channel === 'email' ? (en ? 'e-mail' : '邮件') : en ? 'group robot' : '群机器人'}</td>
                        <td>${d.target}</td>
                        <td>${d.attempts}</td>
                        <td>${d.lastAttemptAt ? fmt(d.lastAttemptAt, zone) : '-'}</td>
                        <td>${d.lastError ?? ''}</td>
                        <td>
                          <form method="post" action="/admin/deliveries/${d.id}/resend">
                            <input type="hidden" name="_csrf" value="${csrf}" /><button class="btn">
                              ${en ? 'Re-send' : '重发'}
                            </button>
                          </form>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
          : html`<p id="none">${en ? 'No failed notifications.' : '没有发送失败的通知。'}</p>`
      }`;
    res.send(page(req, { title, body }));
  });
  r.post('/admin/deliveries/resend-failed', sessionAdmin, async (req, res) => {
    const queued = await resendAll(req.user!.id);
    res.redirect(303, `/admin/deliveries?done=${queued}`);
  });
  r.post('/admin/deliveries/:id/resend', sessionAdmin, async (req, res) => {
    try {
      const d = await resend(parseId(req.params.id), req.user!.id);
      res.redirect(303, `/admin/deliveries?done=${d.id}`);
    } catch (e) {
      if (!(e instanceof DeliveryStateError || e instanceof NotFoundError || e instanceof BadRequestError)) throw e;
      res.redirect(303, `/admin/deliveries?error=${encodeURIComponent(e.message)}`);
    }
  });
  return r;
}
