/**
 * CONTRACT §5: accept `6281234567890`, `+62 812-3456-7890` and local `081234567890` (a leading 0
 * becomes the default country code); return digits only, or null when it is not a phone number.
 */
export function normalizePhoneNumber(input: string, defaultCountryCode: string): string | null {
  const trimmed = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) {
    return null;
  }
  let digits = trimmed.replace(/\D/g, '');
  if (!trimmed.startsWith('+') && digits.startsWith('0')) {
    digits = `${defaultCountryCode}${digits.replace(/^0+/, '')}`;
  }
  return /^[1-9]\d{7,14}$/.test(digits) ? digits : null;
}
