import { features } from '../../app/features';
import { defineMessages, type Lang, type Msg } from '../../shared/i18n';
import { unitKindLabels } from '../org/units.api';
import { dataScopeLabels } from '../users/users.api';

/** Readable names for the entity types and actions the modules record; unknown ones show as sent. */
export const entityLabels: Record<string, Msg> = defineMessages({
  unit: { zh: '单位', en: 'Unit' },
  user: { zh: '用户', en: 'User' },
  api_token: { zh: 'API 令牌', en: 'API token' },
  token: { zh: 'API 令牌', en: 'API token' },
  session: { zh: '会话', en: 'Session' },
  auth: { zh: '登录认证', en: 'Authentication' },
  setting: { zh: '系统设置', en: 'Setting' },
  settings: { zh: '系统设置', en: 'Settings' },
  request: { zh: '诉求', en: 'Request' },
  calendar: { zh: '工作日历', en: 'Working calendar' },
  category: { zh: '诉求分类', en: 'Category' },
  channel: { zh: '受理渠道', en: 'Channel' },
  time_limit: { zh: '办理时限', en: 'Time limit' },
  dispatch_rule: { zh: '派单目录', en: 'Dispatch rule' },
  briefing: { zh: '热线速递', en: 'Briefing' },
  system: { zh: '系统', en: 'System' },
  intelligence_model: { zh: '智能分派模型', en: 'Routing model' },
});

/** Whole action names whose wording is not "verb + entity". */
const actionLabels: Record<string, Msg> = defineMessages({
  'calendar.day': { zh: '调整工作日', en: 'change a calendar day' },
  'calendar.import': { zh: '导入节假日安排', en: 'import holidays' },
  'calendar.hours': { zh: '调整工作时间', en: 'change working hours' },
  'demo.seed': { zh: '初始化演示数据', en: 'seed demo data' },
  'demo.catalog': { zh: '初始化演示基础数据', en: 'seed demo reference data' },
});

/** Entity and action words contributed by the features (FeatureDefinition.auditLabels). */
const featureEntities: Record<string, Msg> = Object.assign({}, ...features.map((f) => f.auditLabels?.entities ?? {}));
const featureActions: Record<string, Msg> = Object.assign({}, ...features.map((f) => f.auditLabels?.actions ?? {}));

const verbLabels: Record<string, Msg> = defineMessages({
  create: { zh: '新增', en: 'create' },
  created: { zh: '新增', en: 'create' },
  update: { zh: '修改', en: 'update' },
  updated: { zh: '修改', en: 'update' },
  delete: { zh: '删除', en: 'delete' },
  deleted: { zh: '删除', en: 'delete' },
  disable: { zh: '停用', en: 'disable' },
  enable: { zh: '启用', en: 'enable' },
  activate: { zh: '启用', en: 'activate' },
  deactivate: { zh: '停用', en: 'deactivate' },
  revoke: { zh: '吊销', en: 'revoke' },
  login: { zh: '登录', en: 'log in' },
  logout: { zh: '退出登录', en: 'log out' },
  login_failed: { zh: '登录失败', en: 'failed login' },
  locked: { zh: '账号锁定', en: 'account locked' },
  lock: { zh: '账号锁定', en: 'account locked' },
  unlock: { zh: '解除锁定', en: 'unlock' },
  password_change: { zh: '修改密码', en: 'change password' },
  change_password: { zh: '修改密码', en: 'change password' },
  password_changed: { zh: '修改密码', en: 'change password' },
  reset_password: { zh: '重置密码', en: 'reset password' },
  password_reset: { zh: '重置密码', en: 'reset password' },
  roles: { zh: '调整角色', en: 'change roles' },
  set_roles: { zh: '调整角色', en: 'change roles' },
  import: { zh: '导入', en: 'import' },
  attach: { zh: '上传附件', en: 'attach a file to' },
  settings: { zh: '修改设置', en: 'change settings' },
});

/** 'unit.create' → '新增单位'; 'auth.login' → '登录'. */
export function actionLabel(action: string, lang: Lang): string {
  const whole = featureActions[action] ?? actionLabels[action];
  if (whole) return whole[lang];
  const [entity, ...rest] = action.split('.');
  const verb = rest.join('.') || entity;
  const v = verbLabels[verb] ?? verbLabels[verb.replace(/-/g, '_')];
  if (!v) return action;
  const e = rest.length ? (featureEntities[entity] ?? entityLabels[entity]) : undefined;
  if (!e || entity === 'auth' || entity === 'session') return v[lang];
  return lang === 'zh' ? `${v.zh}${e.zh}` : `${v.en} ${e.en.toLowerCase()}`;
}

export function entityLabel(entity: string, lang: Lang): string {
  return (featureEntities[entity] ?? entityLabels[entity])?.[lang] ?? entity;
}

export const fieldLabels: Record<string, Msg> = defineMessages({
  name: { zh: '名称', en: 'Name' },
  code: { zh: '编码', en: 'Code' },
  kind: { zh: '类型', en: 'Kind' },
  parentId: { zh: '上级单位', en: 'Parent' },
  parent_id: { zh: '上级单位', en: 'Parent' },
  sortOrder: { zh: '排序号', en: 'Sort order' },
  sort_order: { zh: '排序号', en: 'Sort order' },
  active: { zh: '启用', en: 'Active' },
  username: { zh: '用户名', en: 'User name' },
  displayName: { zh: '姓名', en: 'Name' },
  display_name: { zh: '姓名', en: 'Name' },
  unitId: { zh: '所属单位', en: 'Unit' },
  unit_id: { zh: '所属单位', en: 'Unit' },
  roles: { zh: '角色', en: 'Roles' },
  dataScope: { zh: '数据范围', en: 'Data scope' },
  data_scope: { zh: '数据范围', en: 'Data scope' },
  phone: { zh: '手机号', en: 'Phone' },
  disabled: { zh: '停用', en: 'Disabled' },
  userId: { zh: '用户', en: 'User' },
  user_id: { zh: '用户', en: 'User' },
  user: { zh: '用户', en: 'User' },
  revokedAt: { zh: '吊销时间', en: 'Revoked at' },
  path: { zh: '层级路径', en: 'Path' },
  workingHours: { zh: '工作时间', en: 'Working hours' },
  note: { zh: '备注', en: 'Note' },
  _note: { zh: '说明', en: 'Note' },
});

export const KNOWN_ENTITIES = ['unit', 'user', 'api_token', 'calendar'];

/** Coded values shown in words: unit kinds, data scopes. */
export function valueLabel(field: string, value: string, lang: Lang): string {
  if (field === 'kind') return (unitKindLabels as Record<string, Msg>)[value]?.[lang] ?? value;
  if (field === 'dataScope' || field === 'data_scope') return (dataScopeLabels as Record<string, Msg>)[value]?.[lang] ?? value;
  return value;
}
