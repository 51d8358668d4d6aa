import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { applyServerErrors, type FormLike } from './form-errors';

function fakeForm(fields: (string | number)[][]) {
  const set: { name: unknown; errors?: string[] }[] = [];
  const form: FormLike = {
    getFieldsError: (() => fields.map((name) => ({ name, errors: [], warnings: [] }))) as FormLike['getFieldsError'],
    setFields: ((f: { name: unknown; errors?: string[] }[]) => set.push(...f)) as FormLike['setFields'],
  };
  return { form, set };
}

describe('applyServerErrors', () => {
  it('puts each detail on the field it names and needs no alert', () => {
    const { form, set } = fakeForm([['username'], ['password']]);
    const err = new ApiError(400, 'VALIDATION_FAILED', '输入有误', [
      { field: 'username', message: '用户名已存在' },
      { field: 'password', message: '密码太短' },
      { field: 'password', message: '缺少数字' },
    ]);
    const r = applyServerErrors(form, err);
    expect(r).toEqual({ formMessage: null, placed: 2 });
    expect(set).toEqual([
      { name: ['username'], errors: ['用户名已存在'] },
      { name: ['password'], errors: ['密码太短', '缺少数字'] },
    ]);
  });

  it('falls back from an array index to the array field, and renames through fieldMap', () => {
    const { form, set } = fakeForm([['roles'], ['confirm']]);
    const err = new ApiError(400, 'VALIDATION_FAILED', '输入有误', [
      { field: 'roles.1', message: '未知角色' },
      { field: 'newPassword', message: '太简单' },
    ]);
    applyServerErrors(form, err, { newPassword: 'confirm' });
    expect(set).toEqual([
      { name: ['roles'], errors: ['未知角色'] },
      { name: ['confirm'], errors: ['太简单'] },
    ]);
  });

  it('returns details that name no field on the form, with the message, for an alert', () => {
    const { form } = fakeForm([['name']]);
    const err = new ApiError(400, 'VALIDATION_FAILED', '输入有误', [
      { field: 'name', message: '必填' },
      { field: 'sort', message: '不能按该字段排序' },
    ]);
    expect(applyServerErrors(form, err).formMessage).toBe('输入有误；sort: 不能按该字段排序');
  });

  it('returns the message of an error without details', () => {
    const { form, set } = fakeForm([['name']]);
    expect(applyServerErrors(form, new ApiError(409, 'CONFLICT', '编码已存在')).formMessage).toBe('编码已存在');
    expect(set).toEqual([]);
  });
});
