// What a label key and a label value may look like (the rules the API enforces on labels and selectors).

const NAME_MAX = 63;
const PREFIX_MAX = 253;
const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `key` is not a valid label key (`[prefix/]name`), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  let name = key;
  if (slash >= 0) {
    if (key.indexOf('/', slash + 1) >= 0) return 'a label key may contain at most one "/"';
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix.length === 0) return 'the prefix before "/" must not be empty';
    if (prefix.length > PREFIX_MAX) return `the prefix must be at most ${PREFIX_MAX} characters`;
    if (!prefix.split('.').every((part) => DNS_LABEL_RE.test(part))) {
      return 'the prefix must be a DNS subdomain: lower-case alphanumeric parts separated by ".", each part may contain "-" inside';
    }
  }
  if (name.length === 0) return 'the name part must not be empty';
  if (name.length > NAME_MAX) return `the name part must be at most ${NAME_MAX} characters`;
  if (!NAME_RE.test(name)) {
    return 'the name part must consist of alphanumerics, "-", "_" or ".", and start and end with an alphanumeric';
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. The empty value is valid. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > NAME_MAX) return `a label value must be at most ${NAME_MAX} characters`;
  if (!NAME_RE.test(value)) {
    return 'a label value must consist of alphanumerics, "-", "_" or ".", and start and end with an alphanumeric';
  }
  return undefined;
}
