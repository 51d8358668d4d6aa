import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

/**
 * Paging, sorting and filters of a list live in the URL: reload, back and a shared link show the
 * same page. Filters are plain strings; each screen converts them for its API call.
 */
export interface ListParams<F extends string> {
  page: number;
  pageSize: number;
  sort: string;
  filters: Partial<Record<F, string>>;
}

export interface ListParamsApi<F extends string> extends ListParams<F> {
  setPage(page: number, pageSize?: number): void;
  setSort(sort: string): void;
  /** Replaces the given filters and goes back to page 1. */
  setFilters(next: Partial<Record<F, string | undefined>>): void;
  clearFilters(): void;
}

export const DEFAULT_PAGE_SIZE = 20;
const PAGE_SIZES = [10, 20, 50, 100];

export function useListParams<F extends string>(filterNames: readonly F[], defaultSort: string): ListParamsApi<F> {
  const [search, setSearch] = useSearchParams();

  const params = useMemo<ListParams<F>>(() => {
    const page = Math.max(1, Number(search.get('page')) || 1);
    const size = Number(search.get('pageSize'));
    const pageSize = PAGE_SIZES.includes(size) ? size : DEFAULT_PAGE_SIZE;
    const sort = search.get('sort') || defaultSort;
    const filters: Partial<Record<F, string>> = {};
    for (const name of filterNames) {
      const v = search.get(name);
      if (v) filters[name] = v;
    }
    return { page, pageSize, sort, filters };
    // filterNames is a constant array per screen
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search, defaultSort]);

  const update = useCallback(
    (mutate: (p: URLSearchParams) => void) => {
      setSearch(
        (prev) => {
          const next = new URLSearchParams(prev);
          mutate(next);
          return next;
        },
        { replace: true },
      );
    },
    [setSearch],
  );

  return {
    ...params,
    setPage: (page, pageSize) =>
      update((p) => {
        p.set('page', String(page));
        if (pageSize) p.set('pageSize', String(pageSize));
      }),
    setSort: (sort) =>
      update((p) => {
        if (sort && sort !== defaultSort) p.set('sort', sort);
        else p.delete('sort');
        p.delete('page');
      }),
    setFilters: (next) =>
      update((p) => {
        for (const [k, v] of Object.entries(next) as [string, string | undefined][]) {
          if (v) p.set(k, v);
          else p.delete(k);
        }
        p.delete('page');
      }),
    clearFilters: () =>
      update((p) => {
        for (const name of filterNames) p.delete(name);
        p.delete('page');
      }),
  };
}

export function hasAnyFilter(filters: Record<string, string | undefined>): boolean {
  return Object.values(filters).some(Boolean);
}
