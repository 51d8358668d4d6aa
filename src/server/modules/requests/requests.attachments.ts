import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { MultipartFile } from '@fastify/multipart';
import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import type { Actor } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import { getRequest } from './requests.service';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** What citizens and units actually send: photos, scans, office files, voice recordings. */
const ALLOWED_TYPES: Record<string, string[]> = {
  'image/jpeg': ['.jpg', '.jpeg'], 'image/png': ['.png'], 'image/gif': ['.gif'], 'image/webp': ['.webp'], 'application/pdf': ['.pdf'],
  'application/msword': ['.doc'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['.docx'],
  'application/vnd.ms-excel': ['.xls'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['.xlsx'],
  'text/plain': ['.txt'], 'audio/mpeg': ['.mp3'], 'audio/amr': ['.amr'], 'audio/wav': ['.wav'], 'video/mp4': ['.mp4'],
};

function attachmentsDir(ctx: AppContext): string {
  return path.join(ctx.config.dataDir, 'attachments');
}

/**
 * Stores an upload under DATA_DIR by its SHA-256 (the same file twice is stored once), then records it
 * in one transaction. A file over the limit or of another type is refused and nothing is kept.
 */
export async function addAttachment(ctx: AppContext, actor: Actor, requestId: number, file: MultipartFile, purpose: string) {
  await getRequest(ctx, actor, requestId); // scope check: 404 outside the caller's units
  const ext = path.extname(file.filename).toLowerCase();
  const allowed = ALLOWED_TYPES[file.mimetype];
  if (!allowed || !allowed.includes(ext)) {
    file.file.resume();
    throw fieldError('file', { zh: '不支持的文件类型（支持图片、PDF、Office 文档、文本、录音、视频）', en: 'unsupported file type (images, PDF, Office documents, text, audio, video)' }, 'UNSUPPORTED_MEDIA_TYPE');
  }
  const dir = attachmentsDir(ctx);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `upload-${randomUUID()}.part`);
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(file.file, new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        hash.update(chunk);
        cb(null, chunk);
      },
    }), fs.createWriteStream(tmp));
    if (file.file.truncated || size > MAX_ATTACHMENT_BYTES) throw fieldError('file', { zh: `文件不能超过 ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`, en: `must be at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB` }, 'PAYLOAD_TOO_LARGE');
    if (size === 0) throw fieldError('file', { zh: '文件是空的', en: 'the file is empty' });
    const sha256 = hash.digest('hex');
    const key = path.join(sha256.slice(0, 2), sha256);
    const target = path.join(dir, key);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (fs.existsSync(target)) fs.rmSync(tmp);
    else fs.renameSync(tmp, target);
    const now = ctx.clock.now();
    return await ctx.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('request_attachments').values({
        request_id: requestId, filename: file.filename.slice(0, 200), mime_type: file.mimetype, size, sha256, storage_key: key, purpose, uploaded_by: actor.userId, created_at: now.toISOString(),
      }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, ctx.dialect, now, { actor, action: 'request.attach', entity: 'request', entityId: requestId, after: { attachment: row.id, filename: file.filename, size, sha256 } });
      return { id: row.id, filename: file.filename, mimeType: file.mimetype, size, sha256, purpose };
    });
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export async function openAttachment(ctx: AppContext, actor: Actor, requestId: number, attachmentId: number) {
  await getRequest(ctx, actor, requestId);
  const row = await ctx.db.selectFrom('request_attachments').selectAll().where('id', '=', attachmentId).where('request_id', '=', requestId).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND');
  const file = path.join(attachmentsDir(ctx), row.storage_key);
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND');
  return { stream: fs.createReadStream(file), filename: row.filename, mimeType: row.mime_type, size: row.size };
}
