// The catalogue module's public face: the request reference data other modules and the CLI use.
export { catalogRoutes } from './catalog.routes';
export {
  CHANNEL_FAMILIES, REQUEST_TYPES, URGENCIES, URGENCY_NAMES,
  type CatalogTables, type ChannelFamily, type RequestType, type Urgency,
} from './catalog.tables';
export { getChannelByCode, getTimeLimits, DEFAULT_TIME_LIMITS, type Duration, type TimeLimits } from './catalog.service';
export { importCategories, importCategoryFile, resolveDefaultUrgency, categoryChain, type CategoryImportResult } from './categories.service';
export { parseCategoryFile, type CategoryImportError, type ParsedCategoryFile } from './category-file';
export { resolveDispatch, type DispatchResolution } from './dispatch.service';
export { seedDemoCatalog, DEMO_TAXONOMY } from './catalog.demo';
export type { Category, Channel } from './catalog.repository';
