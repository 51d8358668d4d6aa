import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api';
import { defineMessages, type Msg } from '../../shared/i18n';

export const UNIT_KINDS = ['government', 'office', 'division', 'hotline_centre', 'department', 'district', 'street', 'enterprise'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface Unit {
  id: number;
  parentId: number | null;
  code: string;
  name: string;
  kind: UnitKind;
  sortOrder: number;
  active: boolean;
}

export const unitKindLabels: Record<UnitKind, Msg> = defineMessages({
  government: { zh: '人民政府', en: 'Government' },
  office: { zh: '办公厅（室）', en: 'General office' },
  division: { zh: '内设处室', en: 'Division' },
  hotline_centre: { zh: '热线服务中心', en: 'Hotline centre' },
  department: { zh: '政府部门', en: 'Department' },
  district: { zh: '区（县）', en: 'District' },
  street: { zh: '街道（乡镇）', en: 'Street / town' },
  enterprise: { zh: '企业', en: 'Enterprise' },
});

export const UNITS_KEY = ['units'] as const;

export function fetchUnits(signal?: AbortSignal) {
  return api.get<{ items: Unit[]; total: number }>('/units', undefined, signal);
}

export function useUnits(enabled = true) {
  return useQuery({ queryKey: UNITS_KEY, queryFn: ({ signal }) => fetchUnits(signal), enabled, staleTime: 60_000 });
}

export interface CreateUnitInput {
  parentId: number | null;
  code: string;
  name: string;
  kind: UnitKind;
}

export type UpdateUnitInput = Partial<Pick<Unit, 'name' | 'code' | 'kind' | 'active' | 'sortOrder'>>;

export function useCreateUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateUnitInput) => api.post<Unit>('/units', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: UNITS_KEY }),
  });
}

export function useUpdateUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: UpdateUnitInput & { id: number }) => api.patch<Unit>(`/units/${id}`, patch),
    onSuccess: () => qc.invalidateQueries({ queryKey: UNITS_KEY }),
  });
}
