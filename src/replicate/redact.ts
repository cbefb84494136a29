const REDACTED = '[redacted]';
// Anything that looks like a bearer credential or a Replicate token, even one we were not told about.
const CREDENTIAL_PATTERNS = [/Bearer\s+[^\s"',;]+/gi, /\br8_[A-Za-z0-9]{8,}\b/g];

/** Removes the given secrets, and anything shaped like a credential, from text bound for errors and logs. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret) redacted = redacted.split(secret).join(REDACTED);
  }
  for (const pattern of CREDENTIAL_PATTERNS) {
    redacted = redacted.replace(pattern, (match) =>
      match.toLowerCase().startsWith('bearer') ? `Bearer ${REDACTED}` : REDACTED,
    );
  }
  return redacted;
}
