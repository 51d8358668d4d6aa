// Open311 GeoReport v2: the public civic-request standard, spoken by the requests module.
export { open311Routes, OPEN311_PREFIX } from './open311.routes';
export { open311AdminRoutes } from './open311.admin.routes';
export { STATUS_TABLE } from './open311.status';
export type { Open311Tables } from './open311.tables';
