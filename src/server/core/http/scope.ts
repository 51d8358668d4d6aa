import type { AppContext } from '../../context';
import type { Actor } from './access';

/**
 * Data scope (数据范围): which units' records a caller may see. Null means every unit.
 * Unit paths include the unit itself ('/1/5/'), so a subtree is every path starting with the actor's.
 */
export async function visibleUnitIds(ctx: AppContext, actor: Actor): Promise<number[] | null> {
  if (actor.dataScope === 'all' || actor.via === 'system') return null;
  if (actor.unitId == null) return [];
  if (actor.dataScope === 'unit') return [actor.unitId];
  const rows = await ctx.db.selectFrom('units').select('id').where('path', 'like', `${actor.unitPath}%`).execute();
  return rows.map((r) => r.id);
}

export function isUnitPathVisible(actor: Actor, unitId: number, unitPath: string): boolean {
  if (actor.dataScope === 'all' || actor.via === 'system') return true;
  if (actor.dataScope === 'unit') return actor.unitId === unitId;
  return unitPath.startsWith(actor.unitPath);
}
