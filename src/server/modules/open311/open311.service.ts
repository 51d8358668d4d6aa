import { createHash } from 'node:crypto';
import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { formatInstantWithOffset, toLocalDate } from '../../core/calendar';
import type { Tx } from '../../core/db/database';
import { can, defineRole, grantPermissions, type Actor } from '../../core/http/access';
import { AppError, resolveMsg, type Lang, type Msg } from '../../core/http/errors';
import { maskName } from '../../core/http/mask';
import { readSetting, writeSetting } from '../../core/settings';
import { applyTransition } from '../../core/workflow';
import { authenticate } from '../auth/auth.service';
import { getChannelByCode, getTimeLimits, resolveDefaultUrgency, type Duration, type Urgency } from '../catalog';
import { requestWorkflow } from '../requests/request-workflow';
import { findRequestByNumber } from '../requests/requests.repository';
import { acceptRequest, canSeeRequester, registerRequestDetailSection, type AcceptInput } from '../requests/requests.service';
import type { RequestStatus } from '../requests/requests.tables';
import { DEFINITIONS_CHANGED_KEY, REQUEST_TYPE_ATTRIBUTE, checkSubmittedAttributes, describeSubmittedAttributes, toOpen311Attribute, type SubmittedAttributes } from './open311.attributes';
import { MAX_ROWS, ParamReader, resolveWindow, type RawParams } from './open311.params';
import { scrubPersonalData } from './open311.privacy';
import * as repo from './open311.repository';
import { OPEN311_CLOSED_STATES, REPLIED_STATES, STATUS_TABLE, type Open311Status } from './open311.status';

// Open311 合作方: a service account of a partner system (city app, district portal, media partner). It
// submits and comments through /open311/v2 only; reading goes through the public GeoReport replies.
defineRole('open311_partner', 'Open311 合作方', 'Open311 partner', 'unit');
grantPermissions({ open311_partner: ['open311.submit'] });

export const OPEN311_CHANNEL_CODE = 'open311';
export const OPEN311_SOURCE = 'open311';
export const DESCRIPTION_MAX = 4000;
const GEOREPORT_SPEC = 'http://wiki.open311.org/GeoReport_v2';

// —— settings ——

export interface Open311Settings {
  /** When set, a jurisdiction_id that differs is a 404; absent is always accepted (we serve one jurisdiction). */
  jurisdictionId: string | null;
  contact: string;
  keyService: string;
}

const SETTINGS_KEY = 'open311';
const DEFAULT_SETTINGS: Open311Settings = {
  jurisdictionId: null,
  contact: '市政府办公厅 12345 市民服务热线中心（Open311 接入咨询）',
  keyService: '由系统管理员为合作方创建 open311_partner 服务账号并签发 API 令牌，见 docs/open311.md',
};

export async function getOpen311Settings(db: Tx): Promise<Open311Settings> {
  return { ...DEFAULT_SETTINGS, ...(await readSetting<Partial<Open311Settings>>(db, SETTINGS_KEY, {})) };
}

export async function updateOpen311Settings(ctx: AppContext, actor: Actor, patch: Partial<Open311Settings>): Promise<Open311Settings> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await getOpen311Settings(trx);
    const after: Open311Settings = {
      jurisdictionId: patch.jurisdictionId === undefined ? before.jurisdictionId : patch.jurisdictionId?.trim() || null,
      contact: patch.contact?.trim() || before.contact,
      keyService: patch.keyService?.trim() || before.keyService,
    };
    await writeSetting(trx, SETTINGS_KEY, after, now, actor.userId);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'open311.settings', entity: 'setting', entityId: SETTINGS_KEY, before: { ...before }, after: { ...after } });
    return after;
  });
}

/** jurisdiction_id: accepted always, checked against the configured one when there is one. */
export async function checkJurisdiction(ctx: AppContext, given: string | undefined): Promise<void> {
  if (given === undefined) return;
  const { jurisdictionId } = await getOpen311Settings(ctx.db);
  if (jurisdictionId && given !== jurisdictionId) {
    throw new AppError('NOT_FOUND', { message: { zh: `jurisdiction_id：未知的管辖区 ${given}`, en: `jurisdiction_id: unknown jurisdiction ${given}` } });
  }
}

// —— partners ——

/** The partner behind an api_key: a live API token whose account holds open311.submit; anything else is a 403. */
export async function authenticatePartner(ctx: AppContext, apiKey: string | undefined, ip: string | null): Promise<Actor> {
  if (!apiKey) throw new AppError('FORBIDDEN', { message: { zh: 'api_key：必须提供 API 密钥', en: 'api_key: an API key is required' } });
  const { actor } = await authenticate(ctx, { bearer: apiKey, ip });
  if (!actor) throw new AppError('FORBIDDEN', { message: { zh: 'api_key：密钥无效或已吊销', en: 'api_key: the key is not valid or was revoked' } });
  if (!can(actor, 'open311.submit')) {
    throw new AppError('FORBIDDEN', { message: { zh: 'api_key：该账号没有 Open311 提交权限（需要 open311_partner 角色）', en: 'api_key: the account may not submit through Open311 (it needs the open311_partner role)' } });
  }
  return actor;
}

// —— discovery and services ——

function iso(ctx: AppContext, at: string | null | undefined): string | null {
  return at ? formatInstantWithOffset(new Date(at), ctx.config.timeZone) : null;
}

export async function discovery(ctx: AppContext, baseUrl: string) {
  const [settings, changed] = await Promise.all([
    getOpen311Settings(ctx.db),
    readSetting<string | null>(ctx.db, DEFINITIONS_CHANGED_KEY, null).then((at) => repo.lastDefinitionChange(ctx.db, at)),
  ]);
  const changeset = iso(ctx, changed) ?? formatInstantWithOffset(new Date(0), ctx.config.timeZone);
  return {
    changeset, contact: settings.contact, key_service: settings.keyService,
    endpoints: [{ specification: GEOREPORT_SPEC, url: baseUrl, changeset, type: 'production', formats: ['text/xml', 'application/json'] }],
  };
}

function toService(c: repo.CategoryRow, attributeCount: number) {
  const names = c.path.split('/');
  return {
    service_code: c.code, service_name: c.name, description: names.join(' / '), metadata: attributeCount > 0, type: 'realtime',
    keywords: names.join(','), group: names[0],
  };
}

export async function listServices(ctx: AppContext) {
  const [leaves, counts] = await Promise.all([repo.activeLeaves(ctx.db), repo.attributeCounts(ctx.db)]);
  return leaves.map((c) => toService(c, counts.get(c.id) ?? 0));
}

const UNKNOWN_SERVICE = (code: string): Msg => ({ zh: `service_code：没有编码为 ${code} 的服务`, en: `service_code: there is no service ${code}` });

async function serviceOrThrow(db: Tx, code: string): Promise<repo.CategoryRow> {
  const c = await repo.findActiveLeafByCode(db, code);
  if (!c) throw new AppError('NOT_FOUND', { message: UNKNOWN_SERVICE(code) });
  return c;
}

export async function getServiceDefinition(ctx: AppContext, code: string) {
  const c = await serviceOrThrow(ctx.db, code);
  const attrs = await repo.attributesOf(ctx.db, c.id);
  return { service_code: c.code, attributes: attrs.map(toOpen311Attribute) };
}

// —— notices ——

function formatDuration(d: Duration, lang: Lang): string {
  const zh: Record<Duration['unit'], string> = { 'working-days': '个工作日', 'working-hours': '个工作小时', 'calendar-hours': '小时', 'calendar-days': '天' };
  const en: Record<Duration['unit'], string> = { 'working-days': 'working days', 'working-hours': 'working hours', 'calendar-hours': 'hours', 'calendar-days': 'days' };
  return lang === 'zh' ? `${d.amount} ${zh[d.unit]}` : `${d.amount} ${en[d.unit]}`;
}

/** service_notice: what happens next, from the time limits of the request's type and urgency; none once closed. */
async function serviceNotice(db: Tx, r: { type: string; urgency: Urgency; status: RequestStatus }, lang: Lang, cache = new Map<string, Promise<string>>()): Promise<string | null> {
  if (STATUS_TABLE[r.status].status === 'closed') return null;
  const key = `${r.type}|${r.urgency}|${lang}`;
  let notice = cache.get(key);
  if (!notice) {
    notice = getTimeLimits(db, { type: r.type, urgency: r.urgency }).then((limits) => resolveMsg({
      zh: `12345 热线已受理，将派至承办单位办理，一般在 ${formatDuration(limits.reply, 'zh')}内答复`,
      en: `Accepted by the 12345 hotline; it will be sent to the responsible unit, which normally replies within ${formatDuration(limits.reply, 'en')}`,
    }, lang));
    cache.set(key, notice);
  }
  return notice;
}

// —— POST requests ——

function fullName(first?: string, last?: string): string | null {
  if (!first && !last) return null;
  // A Chinese name is written family name first without a space; others as given name, family name.
  const cjk = /^[\p{Script=Han}·]+$/u;
  if ((!first || cjk.test(first)) && (!last || cjk.test(last))) return `${last ?? ''}${first ?? ''}`;
  return [first, last].filter(Boolean).join(' ');
}

/** The district (and street office) named in a free-text address, when exactly one is. */
async function locateInAddress(db: Tx, address: string | undefined): Promise<{ districtId: number | null; streetId: number | null }> {
  if (!address) return { districtId: null, streetId: null };
  const units = await repo.districtsAndStreets(db);
  const short = (name: string) => name.replace(/(人民政府|办事处)$/, '');
  const mentioned = (kind: string, parentId?: number) =>
    units.filter((u) => u.kind === kind && (parentId === undefined || u.parent_id === parentId) && short(u.name).length >= 2 && address.includes(short(u.name)));
  const districts = mentioned('district');
  const district = districts.length === 1 ? districts[0] : null;
  const streets = mentioned('street', district?.id);
  const street = streets.length === 1 ? streets[0] : null;
  if (street) return { districtId: street.parent_id, streetId: street.id };
  return { districtId: district?.id ?? null, streetId: null };
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The token of a submission is its idempotency key: the partner's Idempotency-Key header when it sent
 * one, else the submission itself on that business day — a retried POST (a lost reply, a double tap)
 * finds the request it already created instead of making a second one.
 */
function submissionToken(partner: Actor, params: RawParams, localDate: string, idempotencyKey: string | undefined): string {
  const basis = idempotencyKey
    ? `key:${idempotencyKey}`
    : `auto:${localDate}:${JSON.stringify(Object.entries(params).filter(([k]) => k !== 'api_key').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  return `o311-${createHash('sha256').update(`${partner.userId}\u0000${basis}`).digest('base64url').slice(0, 32)}`;
}

export interface SubmitResult {
  serviceRequestId: string;
  serviceNotice: string | null;
  accountId: string | null;
  token: string;
  replayed: boolean;
}

/** POST requests: a GeoReport submission becomes a normal request, accepted in the Open311 channel. */
export async function submitRequest(ctx: AppContext, partner: Actor, params: RawParams, opts: { lang: Lang; idempotencyKey?: string }): Promise<SubmitResult> {
  const p = new ParamReader(params);
  const serviceCode = p.text('service_code', { required: true, max: 64 });
  p.done();
  const category = await serviceOrThrow(ctx.db, serviceCode!);
  const defs = await repo.attributesOf(ctx.db, category.id);

  const lat = p.number('lat', { min: -90, max: 90 });
  const long = p.number('long', { min: -180, max: 180 });
  const address = p.text('address_string', { max: 300 });
  const addressId = p.text('address_id', { max: 100 });
  if ((lat === undefined) !== (long === undefined) && !p.hasErrors) p.fail(lat === undefined ? 'lat' : 'long', { zh: 'lat 与 long 须同时提供', en: 'lat and long go together' });
  const hasPoint = lat !== undefined && long !== undefined;
  if (!hasPoint && !address && !addressId && !p.hasErrors) {
    p.fail('lat', { zh: '必须给出位置：lat 和 long，或 address_string，或 address_id', en: 'a location is required: lat and long, or address_string, or address_id' });
  }
  const description = p.text('description', { max: DESCRIPTION_MAX });
  const mediaUrl = p.text('media_url', { max: 1000 });
  if (mediaUrl && !isHttpUrl(mediaUrl)) p.fail('media_url', { zh: '应为 http 或 https 网址', en: 'must be an http or https URL' });
  const email = p.text('email', { max: 200 });
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) p.fail('email', { zh: '电子邮件地址格式不正确', en: 'is not an e-mail address' });
  const phone = p.text('phone', { max: 20 });
  if (phone && !/^[0-9+\- ]{5,20}$/.test(phone)) p.fail('phone', { zh: '电话号码格式不正确', en: 'is not a phone number' });
  const first = p.text('first_name', { max: 50 });
  const last = p.text('last_name', { max: 50 });
  const name = fullName(first, last);
  if (name && [...name].length > 50) p.fail('last_name', { zh: '姓名合计不能超过 50 个字符', en: 'first and last name together must have at most 50 characters' });
  const accountId = p.text('account_id', { max: 100 });
  const deviceId = p.text('device_id', { max: 100 });
  const jurisdictionId = p.text('jurisdiction_id', { max: 100 });
  const attributes = checkSubmittedAttributes(defs, p, ctx.config.timeZone);
  p.done();

  const channel = await getChannelByCode(ctx.db, OPEN311_CHANNEL_CODE);
  if (!channel || !channel.active) throw new AppError('FORBIDDEN', { message: { zh: 'Open311 受理渠道已停用', en: 'The Open311 intake channel is disabled' } });
  const requestType = typeof attributes[REQUEST_TYPE_ATTRIBUTE] === 'string' ? (attributes[REQUEST_TYPE_ATTRIBUTE] as string) : 'complaint';
  const located = await locateInAddress(ctx.db, address);
  const input: AcceptInput = {
    channelId: channel.id, type: requestType, urgency: (await resolveDefaultUrgency(ctx.db, category.id)) ?? 'normal', title: category.name,
    content: description ?? `${category.path.split('/').join(' / ')}（Open311 提交，未填写描述）`, categoryId: category.id,
    districtId: located.districtId, streetId: located.streetId, address: address ?? null, lat: hasPoint ? lat! : null, lng: hasPoint ? long! : null,
    requester: { name, phone: phone ?? null, anonymous: !name && !phone },
    source: OPEN311_SOURCE, sourceRef: accountId ?? deviceId ?? null,
  };

  const now = ctx.clock.now();
  const token = submissionToken(partner, params, toLocalDate(now, ctx.config.timeZone), opts.idempotencyKey);
  const { id, replayed } = await acceptRequest(ctx, partner, input, token, async (trx, created) => {
    await repo.insertSubmission(trx, {
      request_id: created.id, token, partner_user_id: partner.userId!, account_id: accountId ?? null, device_id: deviceId ?? null, email: email ?? null,
      address_id: addressId ?? null, media_url: mediaUrl ?? null, attributes: JSON.stringify(attributes), jurisdiction_id: jurisdictionId ?? null,
      created_at: now.toISOString(),
    });
  });
  const r = await ctx.db.selectFrom('requests').select(['number', 'type', 'urgency', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
  const sub = await repo.findSubmission(ctx.db, id);
  return { serviceRequestId: r.number, serviceNotice: await serviceNotice(ctx.db, r, opts.lang), accountId: sub?.account_id ?? accountId ?? null, token: sub?.token ?? token, replayed };
}

/** GET tokens/{token}: we accept at once, so a known token always has its request number. */
export async function findToken(ctx: AppContext, token: string) {
  const row = await repo.findSubmissionByToken(ctx.db, token);
  if (!row) throw new AppError('NOT_FOUND', { message: { zh: `没有这个 token：${token}`, en: `no such token: ${token}` } });
  return { service_request_id: row.number, token: row.token };
}

// —— GET requests ——

export interface Open311Request {
  service_request_id: string;
  status: Open311Status;
  status_notes: string | null;
  service_name: string | null;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

function fill(template: Msg, lang: Lang, vars: Record<string, string | null | undefined>): string {
  return resolveMsg(template, lang).replace(/\s?\{(\w+)\}/g, (m, k: string) => (vars[k] ? m.replace(`{${k}}`, vars[k]!) : ''));
}

/** status_notes: the reply once there is one (a fixed text for a confidential request), else the state's note. */
function statusNotes(r: repo.RequestViewRow, lang: Lang): string | null {
  if (r.reply_text && REPLIED_STATES.includes(r.status)) {
    return r.is_confidential ? resolveMsg({ zh: '已答复', en: 'Replied' }, lang) : scrubPersonalData(r.reply_text, r.requester_name);
  }
  const note = STATUS_TABLE[r.status].note;
  return note ? fill(note, lang, { target: r.target_number }) : null;
}

/**
 * One request as GeoReport shows it to anybody: no name, phone or e-mail ever; personal data typed
 * into the text is masked; a confidential request (保密) shows no description and no location at all.
 */
async function toOpen311Request(ctx: AppContext, r: repo.RequestViewRow, lang: Lang, cache: Map<string, Promise<string>>): Promise<Open311Request> {
  const hidden = !!r.is_confidential;
  const closed = STATUS_TABLE[r.status].status === 'closed';
  return {
    service_request_id: r.number,
    status: STATUS_TABLE[r.status].status,
    status_notes: statusNotes(r, lang),
    service_name: r.service_name ?? null,
    service_code: r.service_code ?? '',
    // Masking can lengthen a text a little (a short e-mail address); GeoReport allows 4,000 characters.
    description: hidden ? null : [...scrubPersonalData(r.content, r.requester_name)].slice(0, DESCRIPTION_MAX).join(''),
    agency_responsible: r.lead_unit_name ?? null,
    service_notice: await serviceNotice(ctx.db, r, lang, cache),
    requested_datetime: iso(ctx, r.accepted_at)!,
    updated_datetime: iso(ctx, closed ? (r.closed_at ?? r.updated_at) : r.updated_at),
    expected_datetime: iso(ctx, r.due_at ?? r.reply_due_at),
    address: hidden ? null : r.address,
    address_id: hidden ? null : (r.address_id ?? null),
    zipcode: null,
    lat: hidden || r.lat == null ? null : Number(r.lat),
    long: hidden || r.lng == null ? null : Number(r.lng),
    media_url: hidden ? null : (r.media_url ?? null),
  };
}

const NO_SUCH_REQUEST = (id: string): Msg => ({ zh: `service_request_id：没有编号为 ${id} 的诉求`, en: `service_request_id: there is no request ${id}` });

export async function getOpen311Request(ctx: AppContext, number: string, lang: Lang): Promise<Open311Request> {
  const row = /^\d{1,20}$/.test(number) ? await repo.requestViewQuery(ctx.db).where('requests.number', '=', number).executeTakeFirst() : undefined;
  if (!row) throw new AppError('NOT_FOUND', { message: NO_SUCH_REQUEST(number) });
  return toOpen311Request(ctx, row, lang, new Map());
}

/** Paging (the page/page_size extension) inside GeoReport's cap of 1,000 rows per reply. */
function readPage(p: ParamReader): { limit: number; offset: number } {
  const page = p.integer('page', { min: 1, max: 1_000_000 }) ?? 1;
  const pageSize = p.integer('page_size', { min: 1, max: MAX_ROWS }) ?? MAX_ROWS;
  return { limit: pageSize, offset: (page - 1) * pageSize };
}

/** GET requests: by number (comma list, which overrides every other filter), or by service, window and status. */
export async function searchOpen311Requests(ctx: AppContext, params: RawParams, lang: Lang): Promise<Open311Request[]> {
  const p = new ParamReader(params);
  const numbers = p.list('service_request_id', { maxItems: MAX_ROWS });
  const page = readPage(p);
  let search: repo.RequestSearch;
  if (numbers) {
    p.done();
    search = { numbers: numbers.filter((n) => /^\d{1,20}$/.test(n)), ...page };
  } else {
    const codes = p.list('service_code', { maxItems: 200 });
    const { start, end } = resolveWindow(p, p.date('start_date', ctx.config.timeZone), p.date('end_date', ctx.config.timeZone), ctx.clock.now());
    const statuses = p.list('status', { maxItems: 2 });
    const badStatus = statuses?.filter((s) => s !== 'open' && s !== 'closed');
    if (badStatus?.length) p.fail('status', { zh: '应为 open 或 closed', en: 'must be open or closed' });
    p.done();
    search = { start: start.toISOString(), end: end.toISOString(), ...page };
    if (statuses?.length === 1) search[statuses[0] === 'closed' ? 'states' : 'notStates'] = OPEN311_CLOSED_STATES;
    if (codes) {
      const found = await repo.findCategoriesByCodes(ctx.db, codes);
      const missing = codes.filter((c) => !found.some((f) => f.code === c));
      if (missing.length) throw new AppError('NOT_FOUND', { message: UNKNOWN_SERVICE(missing.join(',')) });
      search.categoryIds = found.map((f) => f.id);
    }
  }
  if (search.numbers && !search.numbers.length) return [];
  const rows = await repo.searchRequests(ctx.db, search);
  const cache = new Map<string, Promise<string>>();
  return Promise.all(rows.map((r) => toOpen311Request(ctx, r, lang, cache)));
}

// —— service request updates (the update extension) ——

type EventRow = Awaited<ReturnType<typeof repo.timelineEvents>>[number];
type UpdateText = (e: EventRow, payload: Record<string, unknown>, lang: Lang) => string;
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const fixed = (msg: Msg): UpdateText => (_e, _p, lang) => resolveMsg(msg, lang);
/** Text the public may read; a confidential request's texts are replaced by a fixed sentence. */
const publicText = (key: string, otherwise: Msg): UpdateText => (e, payload, lang) =>
  (e.is_confidential || !str(payload[key]) ? resolveMsg(otherwise, lang) : scrubPersonalData(str(payload[key]), e.requester_name));

/**
 * Timeline actions that become public updates, with the description each shows. Internal steps —
 * urging, supervision, extension requests and refusals, overdue marks — are not published.
 */
const PUBLIC_UPDATES: Record<string, UpdateText> = {
  accept: fixed({ zh: '诉求已受理', en: 'Accepted' }),
  answer: (e, _p, lang) => (e.is_confidential || !e.reply_text ? resolveMsg({ zh: '已直接答复并办结', en: 'Answered at once and closed' }, lang) : scrubPersonalData(e.reply_text, e.requester_name)),
  dispatch: (_e, p, lang) => resolveMsg({ zh: `已派至${str(p.leadUnitName) || '承办单位'}办理`, en: `Sent to ${str(p.leadUnitName) || 'the responsible unit'}` }, lang),
  forward: (_e, p, lang) => resolveMsg({ zh: `已转至${str(p.unitName) || '基层单位'}办理`, en: `Passed on to ${str(p.unitName) || 'a local office'}` }, lang),
  sign: fixed({ zh: '承办单位已签收', en: 'The responsible unit took the request' }),
  return: fixed(STATUS_TABLE.returned.note!),
  'approve-extension': (_e, p, lang) => resolveMsg({ zh: `办理期限延长至 ${str(p.newDueAt)}`, en: `The deadline was extended to ${str(p.newDueAt)}` }, lang),
  reply: publicText('text', { zh: '承办单位已答复', en: 'The responsible unit replied' }),
  review: (_e, p, lang) => resolveMsg(p.decision === 'send-back' ? { zh: '答复需完善，已退回承办单位重新办理', en: 'The reply was sent back to the unit for more work' } : { zh: '答复已审核', en: 'The reply was reviewed' }, lang),
  callback: (_e, p, lang) => resolveMsg(p.reached === false ? { zh: '回访未能联系上诉求人', en: 'The requester could not be reached for the follow-up call' } : { zh: '已回访诉求人', en: 'The requester was called back' }, lang),
  redo: fixed({ zh: '已安排重新办理', en: 'The request is being handled again' }),
  close: fixed({ zh: '诉求已办结', en: 'Closed' }),
  merge: (_e, p, lang) => fill(STATUS_TABLE.merged.note!, lang, { target: str(p.targetNumber) }),
  withdraw: fixed(STATUS_TABLE.withdrawn.note!),
  comment: publicText('text', { zh: '诉求人补充了信息', en: 'The requester added information' }),
};

export async function listUpdates(ctx: AppContext, params: RawParams, lang: Lang) {
  const p = new ParamReader(params);
  const page = readPage(p);
  const { start, end } = resolveWindow(p, p.date('start_date', ctx.config.timeZone), p.date('end_date', ctx.config.timeZone), ctx.clock.now());
  p.done();
  const events = await repo.timelineEvents(ctx.db, { actions: Object.keys(PUBLIC_UPDATES), start: start.toISOString(), end: end.toISOString(), ...page });
  return events.map((e) => {
    const payload = (e.payload ? JSON.parse(e.payload) : {}) as Record<string, unknown>;
    const media = e.action === 'comment' ? str(payload.mediaUrl) || null : e.action === 'accept' || e.action === 'answer' ? e.media_url : null;
    return {
      update_id: String(e.id),
      service_request_id: e.number,
      status: STATUS_TABLE[e.to_state as RequestStatus]?.extended ?? 'OPEN',
      updated_datetime: iso(ctx, e.at)!,
      description: PUBLIC_UPDATES[e.action](e, payload, lang),
      media_url: e.is_confidential ? null : media,
    };
  });
}

/** POST servicerequestupdates: a citizen's comment, relayed by a partner, joins the request's timeline. */
export async function postUpdate(ctx: AppContext, partner: Actor, params: RawParams): Promise<{ update_id: string }> {
  const p = new ParamReader(params);
  const number = p.text('service_request_id', { required: true, max: 20 });
  const text = p.text('description', { required: true, max: DESCRIPTION_MAX });
  const mediaUrl = p.text('media_url', { max: 1000 });
  if (mediaUrl && !isHttpUrl(mediaUrl)) p.fail('media_url', { zh: '应为 http 或 https 网址', en: 'must be an http or https URL' });
  const accountId = p.text('account_id', { max: 100 });
  // Personal fields a partner may send along are read only to check them, and never kept on the timeline.
  p.text('email', { max: 200 });
  p.text('first_name', { max: 50 });
  p.text('last_name', { max: 50 });
  p.done();
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const r = /^\d{1,20}$/.test(number!) ? await findRequestByNumber(trx, number!) : undefined;
    if (!r) throw new AppError('NOT_FOUND', { message: NO_SUCH_REQUEST(number!) });
    if (!requestWorkflow.transitions.comment.from.includes(r.status)) {
      throw new AppError('INVALID_TRANSITION', { message: { zh: '该诉求已合并或撤销，不能再补充信息', en: 'The request was merged or withdrawn; it takes no more comments' } });
    }
    const res = await applyTransition(trx, requestWorkflow, {
      id: r.id, action: 'comment', actor: partner, at: now, record: r, unitId: null, dialect: ctx.dialect,
      payload: { text, mediaUrl: mediaUrl ?? undefined, accountId: accountId ?? undefined, via: OPEN311_SOURCE },
    });
    return { update_id: String(res.eventId) };
  });
}

// —— the request detail, for staff ——

registerRequestDetailSection('open311', async (ctx, actor, r) => {
  if (r.source !== OPEN311_SOURCE) return null;
  const sub = await repo.findSubmission(ctx.db, r.id);
  if (!sub) return null;
  const [partner, defs] = await Promise.all([
    ctx.db.selectFrom('users').select(['username', 'display_name']).where('id', '=', sub.partner_user_id).executeTakeFirst(),
    r.category_id ? repo.attributesOf(ctx.db, r.category_id) : Promise.resolve([]),
  ]);
  const showPersonal = canSeeRequester(actor, r);
  const hide = !!r.is_confidential && !showPersonal;
  return {
    partner: partner ? { username: partner.username, displayName: partner.display_name } : null,
    token: sub.token, accountId: sub.account_id, deviceId: sub.device_id,
    email: hide || !sub.email ? null : showPersonal ? sub.email : `${maskName(sub.email.split('@')[0])}@${sub.email.split('@')[1] ?? ''}`,
    addressId: sub.address_id, mediaUrl: sub.media_url, jurisdictionId: sub.jurisdiction_id,
    attributes: describeSubmittedAttributes(defs, JSON.parse(sub.attributes) as SubmittedAttributes),
  };
});
