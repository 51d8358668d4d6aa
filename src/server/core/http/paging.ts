import { fieldError } from './errors';

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
  sortField: string;
  sortDir: 'asc' | 'desc';
}

/**
 * Resolves page/pageSize/sort against the fields a list allows to sort by (API name → column).
 * An unknown sort field is a 400 naming `sort`, not a silent default.
 */
export function toPageRequest<F extends string>(
  q: { page?: number; pageSize?: number; sort?: string },
  sortable: Record<string, F>,
  defaultSort: string,
): PageRequest & { sortColumn: F } {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 20;
  const raw = q.sort || defaultSort;
  const desc = raw.startsWith('-');
  const name = desc ? raw.slice(1) : raw;
  const column = sortable[name];
  if (!column) {
    throw fieldError('sort', {
      zh: `不能按该字段排序，可选：${Object.keys(sortable).join(', ')}`,
      en: `cannot sort by "${name}"; allowed: ${Object.keys(sortable).join(', ')}`,
    });
  }
  return { page, pageSize, offset: (page - 1) * pageSize, sortField: name, sortDir: desc ? 'desc' : 'asc', sortColumn: column };
}
