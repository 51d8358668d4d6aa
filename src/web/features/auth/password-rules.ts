import type { FormRule as Rule } from 'antd';
import { defineMessages, type Msg, type Vars } from '../../shared/i18n';

/**
 * The same rule as the server's password policy (等保 2.0): at least 10 characters from 3 of the 4
 * classes. Checking here only saves a round trip; the server's answer is what counts.
 */
export const PASSWORD_MIN_LENGTH = 10;

export const passwordMessages = defineMessages({
  hint: { zh: '至少 10 位，且包含大写字母、小写字母、数字、符号中的至少三类', en: 'At least 10 characters from 3 of: upper case, lower case, digits, symbols' },
  required: { zh: '请输入新密码', en: 'Enter the new password' },
  weak: { zh: '密码强度不足：至少 10 位，且包含大写字母、小写字母、数字、符号中的三类', en: 'Too weak: at least 10 characters from 3 of upper case, lower case, digits, symbols' },
  mismatch: { zh: '两次输入的密码不一致', en: 'The two passwords differ' },
});

export function isStrongPassword(password: string): boolean {
  if (password.length < PASSWORD_MIN_LENGTH) return false;
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length >= 3;
}

export function passwordRules(t: (m: Msg, v?: Vars) => string): Rule[] {
  return [
    { required: true, message: t(passwordMessages.required) },
    { validator: (_, value: string) => (!value || isStrongPassword(value) ? Promise.resolve() : Promise.reject(new Error(t(passwordMessages.weak)))) },
  ];
}
