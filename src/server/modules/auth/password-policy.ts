/** 等保 2.0 password complexity: at least 10 characters from 3 of the 4 character classes. */
export const PASSWORD_MIN_LENGTH = 10;

export function isStrongPassword(password: string): boolean {
  if (password.length < PASSWORD_MIN_LENGTH) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  return classes >= 3;
}
