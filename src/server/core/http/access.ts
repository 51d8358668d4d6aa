import type { DataScope } from '../../modules/users/users.tables';

/**
 * Roles grant permissions; modules add their permissions to roles when they load, so this table is
 * the one place to read who may do what. Role names are data for the UI; the UI reads permissions.
 */
export interface RoleDefinition {
  role: string;
  name: string;
  nameEn: string;
  /** The scope a new user with this role gets unless an admin chooses another. */
  defaultScope: DataScope;
  permissions: Set<string>;
}

const roles = new Map<string, RoleDefinition>();

export function defineRole(role: string, name: string, nameEn: string, defaultScope: DataScope): void {
  if (!roles.has(role)) roles.set(role, { role, name, nameEn, defaultScope, permissions: new Set() });
}

export function grantPermissions(grants: Record<string, string[]>): void {
  for (const [role, perms] of Object.entries(grants)) {
    const def = roles.get(role);
    if (!def) throw new Error(`grantPermissions: unknown role ${role}`);
    for (const p of perms) def.permissions.add(p);
  }
}

export function listRoles(): RoleDefinition[] {
  return [...roles.values()];
}

export function isKnownRole(role: string): boolean {
  return roles.has(role);
}

export function permissionsOf(roleNames: string[]): Set<string> {
  const out = new Set<string>();
  for (const r of roleNames) for (const p of roles.get(r)?.permissions ?? []) out.add(p);
  return out;
}

/** The widest default scope among the roles: a dispatcher who is also a handler sees all. */
export function defaultScopeOf(roleNames: string[]): DataScope {
  const order: DataScope[] = ['unit', 'subtree', 'all'];
  let best = 0;
  for (const r of roleNames) best = Math.max(best, order.indexOf(roles.get(r)?.defaultScope ?? 'unit'));
  return order[best];
}

// The foundation's roles (the starting set); modules grant them more.
defineRole('admin', '系统管理员', 'Administrator', 'all');
defineRole('hotline_agent', '话务员', 'Hotline agent', 'all');
defineRole('dispatcher', '派单员', 'Dispatcher', 'all');
defineRole('unit_handler', '承办人', 'Unit handler', 'unit');
defineRole('unit_leader', '承办单位负责人', 'Unit leader', 'subtree');
defineRole('supervisor', '督办员', 'Supervisor', 'all');
defineRole('secretary', '秘书', 'Secretary', 'unit');
defineRole('leader', '领导', 'Leader', 'all');
defineRole('analyst', '数据分析员', 'Analyst', 'all');

grantPermissions({
  admin: ['units.read', 'units.write', 'users.read', 'users.write', 'users.personal', 'tokens.manage', 'audit.read', 'settings.write'],
  hotline_agent: ['units.read'],
  dispatcher: ['units.read', 'users.read'],
  unit_handler: ['units.read'],
  unit_leader: ['units.read', 'users.read'],
  supervisor: ['units.read', 'users.read'],
  secretary: ['units.read'],
  leader: ['units.read', 'users.read'],
  analyst: ['units.read'],
});

/** Who is acting: a logged-in user, an API token's user, or the system itself (jobs, CLI). */
export interface Actor {
  userId: number | null;
  username: string;
  displayName: string;
  unitId: number | null;
  /** Materialised path of the actor's unit ('/1/5/'), for subtree scope. */
  unitPath: string;
  roles: string[];
  permissions: Set<string>;
  dataScope: DataScope;
  via: 'session' | 'token' | 'system';
  ip: string | null;
  sessionId?: string;
  csrfToken?: string;
  /** A session user whose password was reset: only the auth routes (me, change password, log out) answer. */
  mustChangePassword?: boolean;
}

export function systemActor(name = 'system'): Actor {
  return {
    userId: null, username: name, displayName: name, unitId: null, unitPath: '', roles: [], permissions: new Set(['*']),
    dataScope: 'all', via: 'system', ip: null,
  };
}

export function can(actor: Actor, permission: string): boolean {
  return actor.permissions.has(permission) || actor.permissions.has('*');
}
