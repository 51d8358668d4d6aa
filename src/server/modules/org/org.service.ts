import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import type { Actor } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import * as repo from './org.repository';
import type { UnitKind } from './org.tables';

export async function listUnits(ctx: AppContext, filter: Parameters<typeof repo.listUnits>[1]) {
  return (await repo.listUnits(ctx.db, filter)).map(repo.toUnit);
}

export async function getUnit(ctx: AppContext, id: number) {
  const row = await repo.findUnit(ctx.db, id);
  if (!row) throw new AppError('NOT_FOUND', { message: { zh: '单位不存在', en: 'Unit not found' } });
  return repo.toUnit(row);
}

/** Creates a unit under a parent (or a root when parentId is null). */
export async function createUnit(ctx: AppContext, actor: Actor, input: { parentId: number | null; code: string; name: string; kind: UnitKind; sortOrder?: number }) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    let parentPath = '';
    if (input.parentId != null) {
      const parent = await repo.findUnit(trx, input.parentId);
      if (!parent) throw fieldError('parentId', { zh: '上级单位不存在', en: 'no such parent unit' });
      parentPath = parent.path;
    }
    if (await repo.findUnitByCode(trx, input.code)) throw fieldError('code', { zh: '单位编码已被使用', en: 'is already used by another unit' }, 'CONFLICT');
    const row = await repo.insertUnit(trx, { parentId: input.parentId, parentPath, code: input.code, name: input.name, kind: input.kind, sortOrder: input.sortOrder ?? 0, now: now.toISOString() });
    const unit = repo.toUnit(row);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'unit.create', entity: 'unit', entityId: unit.id, after: unit });
    return unit;
  });
}

export async function updateUnit(ctx: AppContext, actor: Actor, id: number, patch: { code?: string; name?: string; kind?: UnitKind; sortOrder?: number; active?: boolean; parentId?: number | null }) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await repo.findUnit(trx, id);
    if (!before) throw new AppError('NOT_FOUND', { message: { zh: '单位不存在', en: 'Unit not found' } });
    if (patch.code && patch.code !== before.code && (await repo.findUnitByCode(trx, patch.code))) {
      throw fieldError('code', { zh: '单位编码已被使用', en: 'is already used by another unit' }, 'CONFLICT');
    }
    if (patch.parentId !== undefined && patch.parentId !== before.parent_id) {
      let newParentPath = '';
      if (patch.parentId !== null) {
        const parent = await repo.findUnit(trx, patch.parentId);
        if (!parent) throw fieldError('parentId', { zh: '上级单位不存在', en: 'no such parent unit' });
        if (parent.path.startsWith(before.path)) throw fieldError('parentId', { zh: '不能移到自己的下级单位之下', en: 'cannot move a unit under its own subtree' });
        newParentPath = parent.path;
      }
      await repo.rewriteSubtreePaths(trx, before.path, `${newParentPath || '/'}${id}/`);
    }
    await repo.updateUnit(trx, id, {
      ...(patch.code !== undefined && { code: patch.code }),
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.kind !== undefined && { kind: patch.kind }),
      ...(patch.sortOrder !== undefined && { sort_order: patch.sortOrder }),
      ...(patch.active !== undefined && { active: patch.active ? 1 : 0 }),
      ...(patch.parentId !== undefined && { parent_id: patch.parentId }),
    }, now.toISOString());
    const after = repo.toUnit((await repo.findUnit(trx, id))!);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'unit.update', entity: 'unit', entityId: id, before: repo.toUnit(before), after });
    return after;
  });
}
