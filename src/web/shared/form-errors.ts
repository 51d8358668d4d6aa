import type { FormInstance } from 'antd';
import { isApiError } from './api';

type NamePath = (string | number)[];

/** The part of antd's FormInstance the helper uses (a fake can stand in for it in tests). */
export type FormLike = Pick<FormInstance, 'getFieldsError' | 'setFields'>;

export interface ServerErrorResult {
  /** Text for an alert above the form: the reply's message plus details that name no field on it. */
  formMessage: string | null;
  /** How many details were placed on a field. */
  placed: number;
}

function toNamePath(field: string): NamePath {
  return field.split('.').map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

function sameName(a: NamePath, b: NamePath): boolean {
  return a.length === b.length && a.every((seg, i) => String(seg) === String(b[i]));
}

/**
 * Puts the server's 400 `details` onto the antd Form fields they name (`roles.0` falls back to
 * `roles`; `fieldMap` renames server fields that a form calls differently). Whatever does not fit a
 * field on this form, and any non-field error, comes back as `formMessage` for an alert.
 */
export function applyServerErrors(form: FormLike, error: unknown, fieldMap: Record<string, string | NamePath> = {}): ServerErrorResult {
  if (!isApiError(error)) {
    return { formMessage: error instanceof Error ? error.message : String(error), placed: 0 };
  }
  const registered = form.getFieldsError().map((f) => f.name as NamePath);
  const resolve = (field: string): NamePath | null => {
    const mapped = fieldMap[field];
    const path = mapped === undefined ? toNamePath(field) : Array.isArray(mapped) ? mapped : toNamePath(mapped);
    for (let len = path.length; len > 0; len--) {
      const candidate = path.slice(0, len);
      const hit = registered.find((r) => sameName(r, candidate));
      if (hit) return hit;
    }
    return null;
  };

  const perField = new Map<string, { name: NamePath; errors: string[] }>();
  const leftovers: string[] = [];
  for (const d of error.details) {
    const name = resolve(d.field);
    if (!name) {
      leftovers.push(d.field ? `${d.field}: ${d.message}` : d.message);
      continue;
    }
    const key = name.join('.');
    const entry = perField.get(key) ?? { name, errors: [] };
    entry.errors.push(d.message);
    perField.set(key, entry);
  }
  if (perField.size) form.setFields([...perField.values()].map((e) => ({ name: e.name, errors: e.errors })));

  // With every detail on a field the marked fields say it all; otherwise explain above the form.
  let formMessage: string | null = null;
  if (!perField.size || leftovers.length) formMessage = [error.message, ...leftovers].join('；');
  return { formMessage, placed: perField.size };
}
